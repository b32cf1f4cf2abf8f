using System.CommandLine;
using Gateway.Core.Authentication;

namespace Gateway.Host.Commands;

/// <summary>
/// <c>gateway verifier</c>: reads a secret from standard input (never from the command line, where other users could
/// see it) and prints the SCRAM-SHA-256 verifier to put in the configuration.
/// </summary>
internal static class VerifierCommand
{
    public static Command Create()
    {
        var iterations = new Option<int>("--iterations") { Description = "PBKDF2 iterations", DefaultValueFactory = _ => ScramVerifier.DefaultIterations };
        var command = new Command("verifier", "Create a SCRAM-SHA-256 verifier from a secret read on standard input") { iterations };
        command.SetAction(async (parse, cancellationToken) =>
        {
            string? secret = await Console.In.ReadLineAsync(cancellationToken);
            if (string.IsNullOrEmpty(secret))
            {
                await Console.Error.WriteLineAsync("gateway: no secret on standard input");
                return 2;
            }

            int count = parse.GetValue(iterations);
            if (count < 4096)
            {
                await Console.Error.WriteLineAsync("gateway: --iterations must be at least 4096");
                return 2;
            }

            Console.WriteLine(ScramVerifier.Create(secret, count).ToString());
            return 0;
        });
        return command;
    }
}
