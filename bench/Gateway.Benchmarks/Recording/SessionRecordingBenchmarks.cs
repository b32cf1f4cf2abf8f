using BenchmarkDotNet.Attributes;
using Gateway.Benchmarks.Data;
using Gateway.Core.Protocol.Postgres;
using Gateway.Host.Recording;

namespace Gateway.Benchmarks.Recording;

/// <summary>
/// Session recording. <c>Record_*</c> is the relay's side: one <see cref="SessionRecording.Record"/> call per
/// operation (a 4 KiB chunk as a pump hands it over, or one small message), which must allocate nothing. The
/// <c>Drain_*</c> benchmarks are the background writer's side, per operation one <see cref="WireData.WideResult"/>
/// (1003 messages, ~217 KB): framing, chaining, compressing and writing to a null stream; MB/s is
/// <c>WideResult.Length / mean</c>. The compression ratio of that stream is printed at setup.
/// </summary>
public class SessionRecordingBenchmarks
{
    private const int ChunkSize = 4096;
    private const int Chunks = 256;
    private const int SmallMessages = 1024;

    private RecordingStore _store = null!;
    private SessionRecording _hot = null!;
    private SessionRecording _drain = null!;
    private byte[] _chunk = null!;
    private byte[] _point = null!;

    /// <summary>zstd level of the store (the drain benchmark's main cost).</summary>
    [Params(RecordingStoreOptions.DefaultCompressionLevel, 1, 3)]
    public int Level { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _store = new RecordingStore(new RecordingStoreOptions
        {
            Directory = Path.GetTempPath(),
            OpenStream = _ => Stream.Null,
            Workers = 1,
            CompressionLevel = Level,
            FrameBytes = 1 << 20,
            MaxPendingBytesPerSession = 1L << 30,
        });
        _hot = Create();
        _drain = Create();
        _chunk = WireData.WideResult.AsSpan(0, ChunkSize).ToArray();
        _point = WireData.PointResult;
        Console.WriteLine($"// DataRow stream compression ratio (level {Level}): {CompressionRatio(Level):F2}");
    }

    [GlobalCleanup]
    public void Cleanup() => _store.DisposeAsync().AsTask().GetAwaiter().GetResult();

    [Benchmark(Baseline = true, OperationsPerInvoke = Chunks)]
    public int Record_4KChunk()
    {
        for (int i = 0; i < Chunks; i++)
        {
            _hot.Record(PgSide.Backend, _chunk);
        }

        _hot.DiscardPending();
        return Chunks;
    }

    [Benchmark(OperationsPerInvoke = SmallMessages)]
    public int Record_SmallMessage()
    {
        for (int i = 0; i < SmallMessages; i++)
        {
            _hot.Record(PgSide.Backend, _point);
        }

        _hot.DiscardPending();
        return SmallMessages;
    }

    /// <summary>Frames, chains, compresses and writes one DataRow result (~217 KB) fed in 16 KiB chunks.</summary>
    [Benchmark]
    public int Drain_WideResult()
    {
        byte[] data = WireData.WideResult;
        for (int offset = 0; offset < data.Length; offset += 16384)
        {
            _drain.Record(PgSide.Backend, data.AsSpan(offset, Math.Min(16384, data.Length - offset)));
        }

        _drain.Drain();
        return data.Length;
    }

    private SessionRecording Create()
    {
        SessionRecording recording = _store.Create(new RecordingHeader("bench-" + Guid.NewGuid().ToString("N"), "g_bench", "agent", "shop", "read", "shop", DateTimeOffset.UnixEpoch));

        // Never scheduled on the store's workers: the benchmark drains (or discards) itself.
        Interlocked.Exchange(ref recording.Scheduled, 1);
        return recording;
    }

    /// <summary>One DataRow result recorded alone (no repeats for zstd to find), against an empty recording's size.</summary>
    private static double CompressionRatio(int level)
    {
        long empty = RecordedSize(null, level);
        long full = RecordedSize(WireData.WideResult, level);
        return WireData.WideResult.Length / (double)(full - empty);
    }

    private static long RecordedSize(byte[]? data, int level)
    {
        var file = new MemoryStream();
        var store = new RecordingStore(new RecordingStoreOptions { Directory = Path.GetTempPath(), OpenStream = _ => file, Workers = 1, CompressionLevel = level });
        SessionRecording recording = store.Create(new RecordingHeader("ratio", null, "agent", "shop", null, null, DateTimeOffset.UnixEpoch));
        if (data is not null)
        {
            recording.Record(PgSide.Backend, data);
        }

        recording.CompleteAsync("bench").GetAwaiter().GetResult();
        store.DisposeAsync().AsTask().GetAwaiter().GetResult();
        return file.ToArray().Length;
    }
}
