using Gateway.Core.Authentication;
using Gateway.Testing;

namespace Gateway.Host.Tests.Commands;

public sealed class VerifierCommandTests
{
    [Fact]
    public async Task Verifier_SecretOnStdin_PrintsVerifierThatProvesTheSecret()
    {
        (int exitCode, string output) = await ProcessRunner.RunAsync("dotnet", [GatewayProcess.GatewayDll, "verifier"], standardInput: "s3cret-value\n");
        Assert.Equal(0, exitCode);
        ScramVerifier verifier = ScramVerifier.Parse(output.Trim());
        Assert.Equal(4096, verifier.Iterations);
        Assert.DoesNotContain("s3cret-value", output, StringComparison.Ordinal);
        ScramVerifier expected = ScramVerifier.Create("s3cret-value", verifier.Salt.Span, verifier.Iterations);
        Assert.True(expected.StoredKey.Span.SequenceEqual(verifier.StoredKey.Span));
        Assert.True(expected.ServerKey.Span.SequenceEqual(verifier.ServerKey.Span));
    }

    [Fact]
    public async Task Verifier_NoSecret_FailsWithExitCode2()
    {
        (int exitCode, string output) = await ProcessRunner.RunAsync("dotnet", [GatewayProcess.GatewayDll, "verifier"], standardInput: "");
        Assert.Equal(2, exitCode);
        Assert.Contains("no secret", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verifier_TooFewIterations_Refused()
    {
        (int exitCode, _) = await ProcessRunner.RunAsync("dotnet", [GatewayProcess.GatewayDll, "verifier", "--iterations", "10"], standardInput: "x\n");
        Assert.Equal(2, exitCode);
    }
}
