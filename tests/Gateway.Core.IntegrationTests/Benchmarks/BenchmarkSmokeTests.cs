using Gateway.Benchmarks.Smoke;

namespace Gateway.Core.IntegrationTests.Benchmarks;

/// <summary>Every benchmark body runs once per test run, so that none can rot between benchmark runs.</summary>
public sealed class BenchmarkSmokeTests
{
    [Fact]
    public void BenchmarkBodies_RunOnceEach_NoneThrows()
    {
        var output = new StringWriter();
        int exitCode = DirectRunner.Smoke(typeof(Gateway.Benchmarks.Program).Assembly, output);
        Assert.True(exitCode == 0, output.ToString());
        Assert.Contains(" 0 failed", output.ToString(), StringComparison.Ordinal);
    }
}
