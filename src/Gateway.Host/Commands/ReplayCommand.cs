using System.CommandLine;
using Gateway.Host.Recording;

namespace Gateway.Host.Commands;

/// <summary>
/// <c>gateway replay &lt;session&gt;</c>: a session's recording as a readable transcript (time, statements, rows as the
/// agent saw them, errors, the end), from the control API or, with <c>--file</c>, from a recording file here.
/// </summary>
internal static class ReplayCommand
{
    public static Command Create()
    {
        var session = new Argument<string?>("session") { Description = "Session id (s_…)", Arity = ArgumentArity.ZeroOrOne };
        var file = new Option<FileInfo>("--file") { Description = "Read this recording file instead of asking the control API" };
        var command = new Command("replay", "Print a session's recording as a transcript")
        {
            session, file, ControlCall.Url, ControlCall.Key, ControlCall.Insecure,
        };
        command.SetAction(async (parse, ct) =>
        {
            if (parse.GetValue(file) is { } path)
            {
                using var output = new StreamWriter(Console.OpenStandardOutput());
                RecordingVerification verdict = Transcript.Write(path.FullName, output);
                await output.FlushAsync(ct);
                return verdict.Status == RecordingStatus.Corrupt ? 1 : 0;
            }

            if (parse.GetValue(session) is not { } id)
            {
                await Console.Error.WriteLineAsync("gateway: give a session id or --file");
                return 2;
            }

            return await ControlCall.RunTextAsync(parse, $"/v1/audit/sessions/{Uri.EscapeDataString(id)}/transcript", ct);
        });
        return command;
    }
}
