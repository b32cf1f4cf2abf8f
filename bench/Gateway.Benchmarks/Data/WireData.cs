using System.Buffers;
using System.Globalization;
using System.Text;

namespace Gateway.Benchmarks.Data;

/// <summary>
/// The benchmark fixtures: pipelined PostgreSQL traffic built once, from one fixed seed, so that every run and every
/// machine measures the same bytes.
/// </summary>
public static class WireData
{
    /// <summary>The seed every fixture is drawn from.</summary>
    public const int Seed = 43134114;

    /// <summary>DataRows in <see cref="WideResult"/>.</summary>
    public const int WideRows = 1000;

    /// <summary>The size of one wide DataRow frame, type byte included (pgbench's wide-row workload is about this).</summary>
    public const int WideRowLength = 217;

    /// <summary>Query messages in <see cref="Queries"/>.</summary>
    public const int QueryCount = 1000;

    /// <summary>
    /// The segment size of the split variants: a pipe's default segment, so that frames straddle segment boundaries
    /// at offsets that have nothing to do with message sizes.
    /// </summary>
    public const int SplitSegmentSize = 4096;

    private static readonly string[] WideColumns = ["aid", "bid", "abalance", "filler", "created", "uuid", "status", "region"];

    static WireData()
    {
        var random = new Random(Seed);

        var result = new PgWire().RowDescription(WideColumns);
        for (int i = 0; i < WideRows; i++)
        {
            int before = result.Length;
            result.DataRow(WideRow(random));
            if (result.Length - before != WideRowLength)
            {
                throw new InvalidOperationException($"a wide DataRow is {result.Length - before} bytes, not {WideRowLength}");
            }
        }

        result.CommandComplete("SELECT " + WideRows.ToString(CultureInfo.InvariantCulture)).ReadyForQuery('I');
        WideResult = result.ToArray();
        WideResultMessages = result.MessageCount;
        WideResultSingleSegment = Segments.Split(WideResult, WideResult.Length);
        WideResultSplit = Segments.Split(WideResult, SplitSegmentSize);

        var queries = new PgWire();
        for (int i = 0; i < QueryCount; i++)
        {
            queries.Query("SELECT abalance FROM pgbench_accounts WHERE aid = " + random.Next(1, 10_000_001).ToString(CultureInfo.InvariantCulture) + ";");
        }

        Queries = queries.ToArray();
        QueryMessages = queries.MessageCount;

        int aid = random.Next(1, 10_000_001);
        PointQuery = new PgWire().Query("SELECT abalance FROM pgbench_accounts WHERE aid = " + aid.ToString(CultureInfo.InvariantCulture) + ";").ToArray();
        var point = new PgWire().RowDescription("abalance").DataRow(Digits(random, 5)).CommandComplete("SELECT 1").ReadyForQuery('I');
        PointResult = point.ToArray();
        PointResultMessages = point.MessageCount;
    }

    /// <summary>
    /// One result set as a server pipelines it: RowDescription, <see cref="WideRows"/> DataRows of
    /// <see cref="WideRowLength"/> bytes, CommandComplete and ReadyForQuery, in one contiguous array.
    /// </summary>
    public static byte[] WideResult { get; }

    /// <summary>Messages in <see cref="WideResult"/>.</summary>
    public static int WideResultMessages { get; }

    /// <summary>
    /// <see cref="WideResult"/> in one <see cref="ReadOnlySequenceSegment{T}"/>, as a pipe hands out a buffer that fits
    /// one segment (a sequence made straight from an array takes ReadOnlySequence's array paths instead).
    /// </summary>
    public static ReadOnlySequence<byte> WideResultSingleSegment { get; }

    /// <summary><see cref="WideResult"/> split into <see cref="SplitSegmentSize"/>-byte segments.</summary>
    public static ReadOnlySequence<byte> WideResultSplit { get; }

    /// <summary><see cref="QueryCount"/> simple-protocol Query messages, pipelined (pgbench's select-only statement).</summary>
    public static byte[] Queries { get; }

    /// <summary>Messages in <see cref="Queries"/>.</summary>
    public static int QueryMessages { get; }

    /// <summary>One pgbench select-only statement: a single Query message.</summary>
    public static byte[] PointQuery { get; }

    /// <summary>Its answer: RowDescription, one DataRow, CommandComplete, ReadyForQuery.</summary>
    public static byte[] PointResult { get; }

    /// <summary>Messages in <see cref="PointResult"/>.</summary>
    public static int PointResultMessages { get; }

    /// <summary>Eight text columns, 178 bytes of values: 2 + 8 * 4 + 178 = 212 bytes of body, 217 with the header.</summary>
    private static byte[]?[] WideRow(Random random) =>
    [
        Digits(random, 6),
        Digits(random, 4),
        Digits(random, 6),
        Letters(random, 84),
        Ascii(string.Create(CultureInfo.InvariantCulture, $"{random.Next(2000, 2030):D4}-{random.Next(1, 13):D2}-{random.Next(1, 29):D2}")),
        Ascii(new Guid(Bytes(random, 16)).ToString("D")),
        Letters(random, 8),
        Letters(random, 24),
    ];

    private static byte[] Digits(Random random, int count)
    {
        byte[] value = new byte[count];
        value[0] = (byte)('1' + random.Next(9));
        for (int i = 1; i < count; i++)
        {
            value[i] = (byte)('0' + random.Next(10));
        }

        return value;
    }

    private static byte[] Letters(Random random, int count)
    {
        byte[] value = new byte[count];
        for (int i = 0; i < count; i++)
        {
            value[i] = (byte)('a' + random.Next(26));
        }

        return value;
    }

    private static byte[] Bytes(Random random, int count)
    {
        byte[] value = new byte[count];
        random.NextBytes(value);
        return value;
    }

    private static byte[] Ascii(string value) => Encoding.ASCII.GetBytes(value);
}
