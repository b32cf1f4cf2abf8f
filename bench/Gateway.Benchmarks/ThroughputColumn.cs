using System.Globalization;
using System.Reflection;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace Gateway.Benchmarks;

/// <summary>
/// <c>MB/s</c>: input bytes per second (10^6 B/s), for classes with a
/// <c>public static double BytesPerOperation(string benchmark)</c> method; empty for the others.
/// </summary>
public sealed class ThroughputColumn : IColumn
{
    public string Id => "Throughput";

    public string ColumnName => "MB/s";

    public bool AlwaysShow => true;

    public ColumnCategory Category => ColumnCategory.Custom;

    public int PriorityInCategory => 0;

    public bool IsNumeric => true;

    public UnitType UnitType => UnitType.Dimensionless;

    public string Legend => "Input bytes per second, in 10^6 B/s (mean time per operation)";

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

    public bool IsAvailable(Summary summary) => summary.BenchmarksCases.Any(c => BytesPerOperation(c) is not null);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        double? bytes = BytesPerOperation(benchmarkCase);
        double? nanoseconds = summary[benchmarkCase]?.ResultStatistics?.Mean;
        return bytes is null || nanoseconds is null or <= 0 ? "-" : (bytes.Value / nanoseconds.Value * 1000).ToString("N0", CultureInfo.InvariantCulture);
    }

    private static double? BytesPerOperation(BenchmarkCase benchmarkCase)
    {
        MethodInfo? method = benchmarkCase.Descriptor.Type.GetMethod("BytesPerOperation", BindingFlags.Public | BindingFlags.Static, [typeof(string)]);
        return method?.Invoke(null, [benchmarkCase.Descriptor.WorkloadMethod.Name]) as double?;
    }
}
