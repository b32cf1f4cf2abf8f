using System.Diagnostics;
using System.Text;

namespace Gateway.Testing;

/// <summary>Runs a command to completion and returns its exit code and output; optionally as another user.</summary>
public static class ProcessRunner
{
    public static async Task<(int ExitCode, string Output)> RunAsync(
        string file, IEnumerable<string> arguments, IDictionary<string, string>? environment = null,
        string? asUser = null, string? standardInput = null, TimeSpan? timeout = null)
    {
        var start = new ProcessStartInfo
        {
            FileName = asUser is null ? file : "setpriv",
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        if (asUser is not null)
        {
            // setpriv rather than su/runuser: no PAM session, the environment and limits pass through.
            foreach (string argument in (string[])[$"--reuid={asUser}", $"--regid={asUser}", "--init-groups", "--", file])
            {
                start.ArgumentList.Add(argument);
            }
        }

        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        if (environment is not null)
        {
            foreach ((string key, string value) in environment)
            {
                start.Environment[key] = value;
            }
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"cannot start {file}");
        var output = new StringBuilder();
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { lock (output) { output.AppendLine(e.Data); } } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lock (output) { output.AppendLine(e.Data); } } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (standardInput is not null)
        {
            await process.StandardInput.WriteAsync(standardInput);
        }

        process.StandardInput.Close();
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromMinutes(2));
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', arguments)} did not finish in time:\n{output}");
        }

        lock (output)
        {
            return (process.ExitCode, output.ToString());
        }
    }

    public static async Task<string> RunCheckedAsync(
        string file, IEnumerable<string> arguments, IDictionary<string, string>? environment = null, string? asUser = null, string? standardInput = null)
    {
        (int exitCode, string output) = await RunAsync(file, arguments, environment, asUser, standardInput);
        if (exitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', arguments)} exited with {exitCode}:\n{output}");
        }

        return output;
    }
}
