using System.Collections.Concurrent;

namespace Gateway.Core.Masking;

/// <summary>
/// What one session's masking did: values masked per rule (a protected column, or a reason such as "expression in
/// a statement that reads protected data") and per content detector. Written by the session, read by the host for
/// the audit record when the session ends.
/// </summary>
public sealed class MaskingStatistics
{
    private readonly ConcurrentDictionary<string, long> _byRule = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long> _byDetector = new(StringComparer.Ordinal);
    private long _rows;

    /// <summary>Values masked, per rule.</summary>
    public IReadOnlyDictionary<string, long> ByRule => _byRule;

    /// <summary>Values (or parts of values) masked, per detector.</summary>
    public IReadOnlyDictionary<string, long> ByDetector => _byDetector;

    /// <summary>Result rows (DataRow and COPY rows) that went back to the client.</summary>
    public long RowsReturned => Interlocked.Read(ref _rows);

    /// <summary>All values masked.</summary>
    public long ValuesMasked => _byRule.Values.Sum() + _byDetector.Values.Sum();

    /// <summary>Adds counts gathered per statement (not per value: dictionaries stay off the row path).</summary>
    /// <remarks>The update passes the count as state: a lambda capturing it would allocate a closure per call.</remarks>
    internal void AddRule(string rule, long count) => _byRule.AddOrUpdate(rule, static (_, count) => count, static (_, total, count) => total + count, count);

    internal void AddDetector(string detector, long count) => _byDetector.AddOrUpdate(detector, static (_, count) => count, static (_, total, count) => total + count, count);

    internal void CountRows(long rows) => Interlocked.Add(ref _rows, rows);
}
