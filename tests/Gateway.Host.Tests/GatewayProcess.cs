using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Gateway.Host.Configuration;
using Gateway.Host.Control;
using Gateway.Host.Tests.Support;
using Gateway.Testing;

namespace Gateway.Host.Tests;

/// <summary>
/// The real <c>gateway</c> executable, started with a generated configuration in front of <see cref="PostgresServer"/>,
/// so that tests see what an operator sees: the process, its log, its memory. Its configuration, store and audit trail
/// live in one temp directory, deleted on dispose once the process has exited (unless <see cref="KeepDirectory"/>).
/// </summary>
public sealed partial class GatewayProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _log = new();
    private readonly TaskCompletionSource<int> _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool _disposed;

    private GatewayProcess(Process process, string directory, int controlPort)
    {
        _process = process;
        Directory = directory;
        ControlPort = controlPort;
        process.OutputDataReceived += (_, e) => OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => OnLine(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public string Directory { get; }

    public int Port { get; private set; }

    public int ControlPort { get; }

    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    public static string GatewayDll => Path.Combine(AppContext.BaseDirectory, "gateway.dll");

    public static async Task<GatewayProcess> StartAsync(PostgresServer postgres)
    {
        postgres.EnsureAvailable();
        string directory = System.IO.Directory.CreateTempSubdirectory("gateway-host-").FullName;
        try
        {
            int controlPort = FreePort.Next();
            GatewayConfiguration configuration = TestConfiguration.Create(postgres, 0, controlPort, new StoreConfiguration { Path = "gateway.db" },
                trail: Path.Combine(directory, "trail"));
            await File.WriteAllTextAsync(Path.Combine(directory, "gateway.json"), JsonSerializer.Serialize(configuration, GatewayJsonContext.Default.GatewayConfiguration));
            return await StartInAsync(directory, controlPort);
        }
        catch
        {
            TempDirectory.Delete(directory);
            throw;
        }
    }

    /// <summary>Starts a gateway on the configuration (and the state: store, audit log, recordings) <paramref name="previous"/> left behind.</summary>
    public static Task<GatewayProcess> RestartAsync(GatewayProcess previous) => StartInAsync(previous.Directory, previous.ControlPort);

    /// <summary>The configuration file this gateway runs with.</summary>
    public string ConfigurationFile => Path.Combine(Directory, "gateway.json");

    /// <summary>SIGKILL: no shutdown, no final records; what a crash or the OOM killer does.</summary>
    public async Task KillAsync()
    {
        _process.Kill();
        await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
    }

    private static async Task<GatewayProcess> StartInAsync(string directory, int controlPort)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = directory,
        };
        foreach (string argument in (string[])[GatewayDll, "serve", "--config", Path.Combine(directory, "gateway.json"), "--log-format", "text"])
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment[TestConfiguration.UpstreamPasswordVariable] = PostgresServer.AppPassword;
        var gateway = new GatewayProcess(Process.Start(start)!, directory, controlPort);
        try
        {
            gateway.Port = await gateway._listening.Task.WaitAsync(TimeSpan.FromSeconds(30));
            await gateway._started.Task.WaitAsync(TimeSpan.FromSeconds(30));
        }
        catch
        {
            // A gateway that never came up is killed; its directory is the caller's (a restart's is the first gateway's).
            gateway.KeepDirectory = true;
            await gateway.DisposeAsync();
            throw;
        }

        return gateway;
    }

    /// <summary>Requests an automatically approved read grant as agent-1 and returns a connection string with its credential.</summary>
    public async Task<string> GrantConnectionStringAsync(string duration = "10m")
    {
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{ControlPort}") };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", TestIdentities.KeyOf(TestIdentities.Agent));
        HttpResponseMessage response = await client.PostAsJsonAsync("/v1/grants",
            new GrantRequestBody(TestConfiguration.Target, "read", duration, "host test", null, 0, true), ControlJsonContext.Default.GrantRequestBody);
        GrantView grant = (await response.Content.ReadFromJsonAsync(ControlJsonContext.Default.GrantView))!;
        return $"Host=127.0.0.1;Port={Port};Username={grant.Credential!.User};Password={grant.Credential.Password};Database={grant.Target};Pooling=false;SSL Mode=Disable";
    }

    /// <summary>VmRSS and VmHWM (peak) of the gateway process, in KiB, from procfs.</summary>
    public (long Rss, long Peak) Memory()
    {
        string status = File.ReadAllText($"/proc/{_process.Id}/status");
        return (ReadKiB(status, "VmRSS"), ReadKiB(status, "VmHWM"));
    }

    /// <summary>Sends SIGTERM and waits for the process to exit; returns its exit code.</summary>
    public async Task<int> StopAsync()
    {
        if (!_process.HasExited)
        {
            await ProcessRunner.RunCheckedAsync("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)]);
        }

        await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        return _process.ExitCode;
    }

    /// <summary>
    /// Kills the process if it still runs, waits for it to exit, and then deletes its directory, unless
    /// <see cref="KeepDirectory"/> (a restart follows). A second call does nothing.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        await _process.WaitForExitAsync();
        _process.Dispose();
        if (!KeepDirectory)
        {
            TempDirectory.Delete(Directory);
        }
    }

    /// <summary>Leave the directory for a restart; whoever set this deletes it (<see cref="DeleteDirectory"/>) at the end.</summary>
    public bool KeepDirectory { get; set; }

    /// <summary>Deletes the directory regardless of <see cref="KeepDirectory"/>; call it only once no gateway runs in it.</summary>
    public void DeleteDirectory() => TempDirectory.Delete(Directory);

    private void OnLine(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_log)
        {
            _log.AppendLine(line);
        }

        if (line.Contains("Application started", StringComparison.Ordinal))
        {
            _started.TrySetResult();
        }

        Match listening = ListeningLine().Match(line);
        if (listening.Success)
        {
            _listening.TrySetResult(int.Parse(listening.Groups[1].Value, CultureInfo.InvariantCulture));
        }
    }

    private static long ReadKiB(string status, string field)
        => long.Parse(Regex.Match(status, field + @":\s+(\d+) kB").Groups[1].Value, CultureInfo.InvariantCulture);

    [GeneratedRegex(@"Listening on 127\.0\.0\.1:(\d+)")]
    private static partial Regex ListeningLine();
}
