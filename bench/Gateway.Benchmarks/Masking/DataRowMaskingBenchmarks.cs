using System.Buffers;
using System.Text;
using BenchmarkDotNet.Attributes;
using Gateway.Benchmarks.Data;
using Gateway.Core.Internal;
using Gateway.Core.Masking;
using Gateway.Core.Protocol.Postgres;
using Gateway.Core.Sessions;

namespace Gateway.Benchmarks.Masking;

/// <summary>
/// A session's masking hook (<see cref="PgMasking"/>) over one result of <see cref="MaskingData.Rows"/> DataRows, as
/// the relay drives it: the client's Query, the RowDescription, every DataRow (each forwarded as it is or replaced),
/// CommandComplete and ReadyForQuery. The bytes that would go to the client (the row itself, or its replacement)
/// are copied into an output buffer, so that <see cref="CopyRows"/>, a plain copy of the same rows, is the ceiling.
/// One operation is one DataRow; <c>MB/s</c> is DataRow bytes in (10^6 B per second).
/// </summary>
public class DataRowMaskingBenchmarks
{
    private static readonly byte[] RowQuery = MaskingData.Query;
    private static readonly byte[] SelectTag = "SELECT 1000\0"u8.ToArray();
    private static readonly byte[] Idle = "I"u8.ToArray();

    private readonly PooledBufferWriter _replacement = new();
    private readonly byte[] _output = new byte[Math.Max(MaskingData.CustomerRows.Bytes.Length, MaskingData.TextRows.Bytes.Length) * 2];

    private PgMasking _passthrough = null!;
    private PgMasking _origin = null!;
    private PgMasking _originDetectors = null!;
    private PgMasking _token = null!;
    private PgMasking _detectors = null!;
    private PgMasking _wide = null!;

    /// <summary>Input DataRow bytes per operation of each benchmark, for the MB/s column.</summary>
    public static double BytesPerOperation(string benchmark)
        => benchmark.Contains("TextHeavy", StringComparison.Ordinal) ? MaskingData.TextRows.BytesPerRow
            : benchmark.Contains("Wide", StringComparison.Ordinal) ? MaskingData.WideRows.BytesPerRow
            : MaskingData.CustomerRows.BytesPerRow;

    [GlobalSetup]
    public void Setup()
    {
        ProtectedColumn[] columns =
        [
            new("public", "bench_rows", "email"),
            new("public", "bench_rows", "phone", MaskStyle.Partial) { KeepLast = 4 },
            new("public", "bench_rows", "card_number", MaskStyle.Null),
        ];
        byte[] key = Encoding.UTF8.GetBytes("benchmark token key, 32 bytes or more");
        _passthrough = Hook(new MaskingPolicy { Detectors = ContentDetectors.None });
        _origin = Hook(new MaskingPolicy { Columns = columns, Detectors = ContentDetectors.None });
        _originDetectors = Hook(new MaskingPolicy { Columns = columns, Detectors = ContentDetectors.All });
        _token = Hook(new MaskingPolicy { Columns = [columns[0] with { Style = MaskStyle.Token }, columns[1], columns[2]], Detectors = ContentDetectors.None, TokenKey = key });
        _detectors = Hook(new MaskingPolicy { Detectors = ContentDetectors.All });

        // pgbench-compare.sh's gateway-masked target: email redacted, phone partial (last 4), card_number redacted, all detectors.
        _wide = Hook(new MaskingPolicy
        {
            Columns =
            [
                new("public", "bench_rows", "email"),
                new("public", "bench_rows", "phone", MaskStyle.Partial) { KeepLast = 4 },
                new("public", "bench_rows", "card_number"),
            ],
            Detectors = ContentDetectors.All,
        }, wide: true);

        // The fixtures must exercise what the names say.
        Check(_passthrough, MaskingData.CustomerRowDescription, MaskingData.CustomerRows, replacedAtLeast: 0, replacedAtMost: 0);
        Check(_origin, MaskingData.CustomerRowDescription, MaskingData.CustomerRows, replacedAtLeast: MaskingData.Rows, replacedAtMost: MaskingData.Rows);
        Check(_detectors, MaskingData.TextRowDescription, MaskingData.TextRows, replacedAtLeast: 100, replacedAtMost: MaskingData.Rows / 2);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _replacement.Dispose();
        _passthrough.Dispose();
        _origin.Dispose();
        _originDetectors.Dispose();
        _token.Dispose();
        _detectors.Dispose();
        _wide.Dispose();
    }

    /// <summary>The ceiling: the same DataRow bytes copied, with no protocol work.</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = MaskingData.Rows)]
    public int CopyRows()
    {
        MaskingData.CustomerRows.Bytes.CopyTo(_output, 0);
        return _output[MaskingData.CustomerRows.Bytes.Length - 1];
    }

    /// <summary>No protected column and no detector: every row is forwarded as it is.</summary>
    [Benchmark(OperationsPerInvoke = MaskingData.Rows)]
    public long Passthrough() => Run(_passthrough, MaskingData.CustomerRowDescription, MaskingData.CustomerRows);

    /// <summary>3 of 10 columns protected by origin (redact, partial, null), detectors off: every row is rewritten.</summary>
    [Benchmark(OperationsPerInvoke = MaskingData.Rows)]
    public long Origin_RedactPartialNull() => Run(_origin, MaskingData.CustomerRowDescription, MaskingData.CustomerRows);

    /// <summary>As <see cref="Origin_RedactPartialNull"/>, with every content detector on the 6 other text columns.</summary>
    [Benchmark(OperationsPerInvoke = MaskingData.Rows)]
    public long Origin_RedactPartialNull_AllDetectors() => Run(_originDetectors, MaskingData.CustomerRowDescription, MaskingData.CustomerRows);

    /// <summary>As <see cref="Origin_RedactPartialNull"/>, with the e-mail column tokenised (HMAC-SHA-256 per row).</summary>
    [Benchmark(OperationsPerInvoke = MaskingData.Rows)]
    public long Origin_TokenPartialNull() => Run(_token, MaskingData.CustomerRowDescription, MaskingData.CustomerRows);

    /// <summary>Every content detector over 10 columns of text, nothing protected; about one value in 16 has a hit.</summary>
    [Benchmark(OperationsPerInvoke = MaskingData.Rows)]
    public long Detectors_TextHeavy() => Run(_detectors, MaskingData.TextRowDescription, MaskingData.TextRows);

    /// <summary>pgbench-compare.sh's wide workload as the gateway-masked target masks it (7 text columns, 3 protected, all detectors).</summary>
    [Benchmark(OperationsPerInvoke = MaskingData.Rows)]
    public long Wide_PgbenchMasked() => Run(_wide, MaskingData.WideRowDescription, MaskingData.WideRows);

    private static PgMasking Hook(MaskingPolicy policy, bool wide = false)
    {
        MaskingCatalog catalog = MaskingData.Catalog(policy, wide);
        return new PgMasking(() => catalog, new MaskingStatistics());
    }

    private long Run(PgMasking hook, byte[] rowDescription, MaskingData.RowStream rows) => Run(hook, rowDescription, rows, out _);

    private long Run(PgMasking hook, byte[] rowDescription, MaskingData.RowStream rows, out int replaced)
    {
        replaced = 0;
        Send(hook, PgSide.Frontend, (byte)FrontendCode.Query, RowQuery);
        Send(hook, PgSide.Backend, (byte)BackendCode.RowDescription, rowDescription);
        byte[] bytes = rows.Bytes;
        int[] offsets = rows.Offsets;
        int written = 0;
        for (int i = 0; i < offsets.Length - 1; i++)
        {
            int start = offsets[i];
            int length = offsets[i + 1] - start;
            _replacement.Reset();
            var message = new PgMessage(PgSide.Backend, (byte)BackendCode.DataRow, new ReadOnlySequence<byte>(bytes, start + 5, length - 5));
            ReadOnlySpan<byte> send;
            if (hook.OnMessage(message, _replacement) == PgHookAction.Forward)
            {
                send = bytes.AsSpan(start, length);
            }
            else
            {
                send = _replacement.WrittenMemory.Span;
                replaced++;
            }

            send.CopyTo(_output.AsSpan(written));
            written += send.Length;
        }

        Send(hook, PgSide.Backend, (byte)BackendCode.CommandComplete, SelectTag);
        Send(hook, PgSide.Backend, (byte)BackendCode.ReadyForQuery, Idle);
        return written;
    }

    private void Send(PgMasking hook, PgSide side, byte code, byte[] payload)
    {
        _replacement.Reset();
        if (hook.OnMessage(new PgMessage(side, code, new ReadOnlySequence<byte>(payload)), _replacement) != PgHookAction.Forward)
        {
            throw new InvalidOperationException($"the hook replaced '{(char)code}'");
        }
    }

    private void Check(PgMasking hook, byte[] rowDescription, MaskingData.RowStream rows, int replacedAtLeast, int replacedAtMost)
    {
        Run(hook, rowDescription, rows, out int replaced);
        if (replaced < replacedAtLeast || replaced > replacedAtMost)
        {
            throw new InvalidOperationException($"{replaced} rows replaced; the fixture expects {replacedAtLeast}-{replacedAtMost}");
        }
    }
}
