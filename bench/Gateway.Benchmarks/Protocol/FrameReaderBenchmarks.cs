using System.Buffers;
using BenchmarkDotNet.Attributes;
using Gateway.Benchmarks.Data;
using Gateway.Core.Configuration;
using Gateway.Core.Protocol.Postgres;

namespace Gateway.Benchmarks.Protocol;

/// <summary>
/// <see cref="PgFrameReader.TryReadFrame"/> over one pipelined wide-row result (<see cref="WireData.WideResult"/>):
/// in one segment and split into 4 KiB segments, as a pipe hands them out, and in a sequence made straight from an
/// array, as <c>LargeFrame.Frame</c> and re-framed hook replacements are. One operation is one message.
/// </summary>
public class FrameReaderBenchmarks
{
    private const int Messages = 1003; // RowDescription + 1000 DataRows + CommandComplete + ReadyForQuery

    private readonly byte[] _copy = new byte[WireData.WideResult.Length];
    private ReadOnlySequence<byte> _array;
    private ReadOnlySequence<byte> _single;
    private ReadOnlySequence<byte> _split;

    [GlobalSetup]
    public void Setup()
    {
        if (WireData.WideResultMessages != Messages)
        {
            throw new InvalidOperationException($"the fixture has {WireData.WideResultMessages} messages; OperationsPerInvoke says {Messages}");
        }

        _array = new ReadOnlySequence<byte>(WireData.WideResult);
        _single = WireData.WideResultSingleSegment;
        _split = WireData.WideResultSplit;
    }

    /// <summary>What touching every byte once costs: the same bytes copied, with no framing.</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = Messages)]
    public int CopyBytes()
    {
        _single.FirstSpan.CopyTo(_copy);
        return _copy[^1];
    }

    [Benchmark(OperationsPerInvoke = Messages)]
    public long TryReadFrame_SingleSegment() => ReadAll(_single);

    [Benchmark(OperationsPerInvoke = Messages)]
    public long TryReadFrame_Split4K() => ReadAll(_split);

    [Benchmark(OperationsPerInvoke = Messages)]
    public long TryReadFrame_ArrayBacked() => ReadAll(_array);

    private static long ReadAll(ReadOnlySequence<byte> buffer)
    {
        long payloadBytes = 0;
        int messages = 0;
        while (PgFrameReader.TryReadFrame(ref buffer, PgSide.Backend, PgGatewayOptions.PostgresMaxMessageSize, out byte code, out ReadOnlySequence<byte> payload))
        {
            payloadBytes += payload.Length + code;
            messages++;
        }

        if (messages != Messages || !buffer.IsEmpty)
        {
            throw new InvalidOperationException($"framed {messages} messages with {buffer.Length} bytes left; expected {Messages} and none");
        }

        return payloadBytes;
    }
}
