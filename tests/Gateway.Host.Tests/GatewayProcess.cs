using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Gateway.Core.Authentication;
using Gateway.Testing;

namespace Gateway.Host.Tests;

/// <summary>
/// The real <c>gateway</c> executable, started with a generated configuration in front of <see cref="PostgresServer"/>,
/// so that tests see what an operator sees: the process, its log, its memory.
/// </summary>
public sealed partial class GatewayProcess : IAsyncDisposable
{
    public const string Agent = "agent-1";
    public const string AgentSecret = "agent-secret-1";
    public const string Target = "shop";

    private readonly Process _process;
    private readonly StringBuilder _log = new();
    private readonly TaskCompletionSource<int> _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private GatewayProcess(Process process, string directory)
    {
        _process = process;
        Directory = directory;
        process.OutputDataReceived += (_, e) => OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => OnLine(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public string Directory { get; }

    public int Port { get; private set; }

    public int ProcessId => _process.Id;

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

    public static async Task<GatewayProcess> StartAsync(PostgresServer postgres, string? listenerJson = null)
    {
        postgres.EnsureAvailable();
        string directory = System.IO.Directory.CreateTempSubdirectory("gateway-host-").FullName;
        string verifier = ScramVerifier.Create(AgentSecret).ToString();
        await File.WriteAllTextAsync(Path.Combine(directory, "gateway.json"), $$"""
            {
              "listeners": [ {{listenerJson ?? """{ "address": "127.0.0.1:0" }"""}} ],
              "targets": [ { "name": "{{Target}}", "host": "127.0.0.1", "port": {{postgres.Port}}, "database": "{{PostgresServer.Database}}",
                             "user": "{{PostgresServer.AppUser}}", "password": { "env": "GATEWAY_TEST_UPSTREAM" } } ],
              "agents": [ { "name": "{{Agent}}", "verifier": "{{verifier}}", "targets": [ "{{Target}}" ] } ]
            }
            """);
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

        start.Environment["GATEWAY_TEST_UPSTREAM"] = PostgresServer.AppPassword;
        var gateway = new GatewayProcess(Process.Start(start)!, directory);
        gateway.Port = await gateway._listening.Task.WaitAsync(TimeSpan.FromSeconds(30));
        return gateway;
    }

    public string ConnectionString(string extra = "")
        => $"Host=127.0.0.1;Port={Port};Username={Agent};Password={AgentSecret};Database={Target};Pooling=false;SSL Mode=Disable;{extra}";

    /// <summary>VmRSS and VmHWM (peak) of the gateway process, in KiB, from procfs.</summary>
    public (long Rss, long Peak) Memory()
    {
        string status = File.ReadAllText($"/proc/{_process.Id}/status");
        return (ReadKiB(status, "VmRSS"), ReadKiB(status, "VmHWM"));
    }

    /// <summary>Sends SIGTERM and waits for the process to exit; returns its exit code.</summary>
    public async Task<int> StopAsync()
    {
        await ProcessRunner.RunCheckedAsync("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)]);
        await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        System.IO.Directory.Delete(Directory, recursive: true);
    }

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
