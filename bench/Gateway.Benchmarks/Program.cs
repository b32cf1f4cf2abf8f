using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using Gateway.Benchmarks.Smoke;

namespace Gateway.Benchmarks;

/// <summary>
/// <c>dotnet run -c Release --project bench/Gateway.Benchmarks -- --filter '*'</c> runs the benchmarks.
/// <c>-- --smoke</c> runs every benchmark body once, without BenchmarkDotNet, and exits non-zero if one throws.
/// <c>-- --alloc [name...]</c> counts the exact bytes each benchmark (or those whose name contains a given word)
/// allocates per invocation and per message, and samples which types they are. <c>-- --min-time [name...]</c> reports
/// the fastest of interleaved samples, a figure that survives a busy shared machine better than a mean.
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "--smoke")
        {
            return DirectRunner.Smoke(typeof(Program).Assembly, Console.Out);
        }

        if (args.Length > 0 && args[0] == "--alloc")
        {
            return DirectRunner.MeasureAllocations(typeof(Program).Assembly, args[1..], Console.Out);
        }

        if (args.Length > 0 && args[0] == "--min-time")
        {
            return DirectRunner.MeasureMinimumTimes(typeof(Program).Assembly, args[1..], Console.Out);
        }

        IEnumerable<Summary> summaries = BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args, BenchmarkConfig.Create());
        return summaries.Any(summary => summary.HasCriticalValidationErrors || summary.Reports.Any(report => !report.Success)) ? 1 : 0;
    }
}
