using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Validators;
using Perfolizer.Horology;
using Perfolizer.Metrology;

namespace Gateway.Benchmarks;

/// <summary>
/// The configuration every benchmark runs with: allocations measured, an unoptimized build refused, and a short job
/// sized for a 2-core machine that others share (one launch, few iterations; numbers are for trends, not for
/// publication). Allocations are shown in bytes, per operation, which every class defines as one message.
/// </summary>
public static class BenchmarkConfig
{
    public static IConfig Create()
        => ManualConfig.Create(DefaultConfig.Instance)
            .AddJob(Job.Default
                .WithId("Short2Core")
                .WithLaunchCount(1)
                .WithWarmupCount(3)
                .WithIterationCount(10)
                .WithIterationTime(TimeInterval.FromMilliseconds(250))
                .WithGcServer(false)
                .WithGcConcurrent(false))
            .AddDiagnoser(MemoryDiagnoser.Default)
            .AddValidator(JitOptimizationsValidator.FailOnError)
            .AddColumn(StatisticColumn.Median)
            .AddColumn(new ThroughputColumn())
            .WithSummaryStyle(SummaryStyle.Default.WithSizeUnit(SizeUnit.B))
            .WithOptions(ConfigOptions.JoinSummary);
}
