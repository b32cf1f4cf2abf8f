using System.Buffers;
using System.IO.Pipelines;

namespace Gateway.Benchmarks.Sessions;

/// <summary>
/// The in-memory transport the relay benchmarks run on, and the push-and-drain loop that plays both peers.
/// </summary>
public static class InMemoryPipes
{
    /// <summary>How many bytes the fake peer hands over per flush, like one socket receive into a 16 KiB segment.</summary>
    public const int ChunkSize = 16 * 1024;

    /// <summary>
    /// A pipe the gateway reads from: its reader runs inline on the writer's flush, so the relay processes a chunk on
    /// the benchmark thread that wrote it, with no thread hop. Thresholds as the socket transport's receive side.
    /// </summary>
    public static PipeOptions IntoGateway { get; } = new(
        pool: MemoryPool<byte>.Shared,
        readerScheduler: PipeScheduler.Inline,
        writerScheduler: PipeScheduler.Inline,
        pauseWriterThreshold: 1024 * 1024,
        resumeWriterThreshold: 512 * 1024,
        minimumSegmentSize: 16 * 1024,
        useSynchronizationContext: false);

    /// <summary>
    /// A pipe the gateway writes to. A flush that hits backpressure resumes inline when the benchmark drains. The
    /// benchmark never awaits a read on it while measuring (it drains with TryRead), so the reader scheduler only
    /// matters during login, where it keeps the setup's continuations off the gateway's stack.
    /// </summary>
    public static PipeOptions OutOfGateway { get; } = new(
        pool: MemoryPool<byte>.Shared,
        readerScheduler: PipeScheduler.ThreadPool,
        writerScheduler: PipeScheduler.Inline,
        pauseWriterThreshold: 64 * 1024,
        resumeWriterThreshold: 32 * 1024,
        minimumSegmentSize: 16 * 1024,
        useSynchronizationContext: false);

    /// <summary>
    /// How often <see cref="Push"/> found the relay had not finished inline and had to wait (it should stay 0: every
    /// flush is processed on the benchmark's thread before FlushAsync returns). <c>--alloc</c> prints it.
    /// </summary>
    public static long SlowPaths { get; private set; }

    /// <summary>
    /// Writes <paramref name="bytes"/> into <paramref name="source"/> in <see cref="ChunkSize"/> pieces, flushing each,
    /// and drains <paramref name="sink"/> after every flush until as many bytes came out as went in. Returns the bytes
    /// drained. Allocates nothing itself.
    /// </summary>
    public static long Push(PipeWriter source, ReadOnlySpan<byte> bytes, PipeReader sink)
    {
        long drained = 0;
        for (int offset = 0; offset < bytes.Length; offset += ChunkSize)
        {
            source.Write(bytes.Slice(offset, Math.Min(ChunkSize, bytes.Length - offset)));
            ValueTask<FlushResult> flush = source.FlushAsync();
            if (!flush.IsCompletedSuccessfully)
            {
                SlowPaths++;
                drained += WaitForFlush(flush, sink);
            }
            else if (flush.Result.IsCompleted)
            {
                throw new InvalidOperationException("the relay stopped reading");
            }

            drained += Drain(sink, null);
        }

        if (drained != bytes.Length)
        {
            SlowPaths++;
            drained += DrainUntil(sink, bytes.Length - drained, null);
        }

        return drained;
    }

    /// <summary>Reads whatever <paramref name="sink"/> holds without waiting; copies it to <paramref name="capture"/> when given.</summary>
    public static long Drain(PipeReader sink, IBufferWriter<byte>? capture)
    {
        long drained = 0;
        while (sink.TryRead(out ReadResult result))
        {
            ReadOnlySequence<byte> buffer = result.Buffer;
            drained += buffer.Length;
            if (capture is not null)
            {
                foreach (ReadOnlyMemory<byte> segment in buffer)
                {
                    capture.Write(segment.Span);
                }
            }

            sink.AdvanceTo(buffer.End);
            if (result.IsCompleted || result.IsCanceled)
            {
                throw new InvalidOperationException("the relay closed the pipe it writes to");
            }

            if (buffer.IsEmpty)
            {
                break;
            }
        }

        return drained;
    }

    /// <summary>
    /// The slow path, for when the relay did not finish inline (it never should): drain and spin until
    /// <paramref name="expected"/> more bytes arrive, or give up after ten seconds.
    /// </summary>
    public static long DrainUntil(PipeReader sink, long expected, IBufferWriter<byte>? capture)
    {
        long drained = 0;
        long deadline = Environment.TickCount64 + 10_000;
        var spin = default(SpinWait);
        while (drained < expected)
        {
            long got = Drain(sink, capture);
            drained += got;
            if (got == 0)
            {
                if (Environment.TickCount64 > deadline)
                {
                    throw new TimeoutException($"the relay delivered {drained} of {expected} bytes within ten seconds");
                }

                spin.SpinOnce();
            }
        }

        if (drained != expected)
        {
            throw new InvalidOperationException($"the relay delivered {drained} bytes; {expected} were sent");
        }

        return drained;
    }

    private static long WaitForFlush(ValueTask<FlushResult> flush, PipeReader sink)
    {
        long drained = 0;
        long deadline = Environment.TickCount64 + 10_000;
        var spin = default(SpinWait);
        while (!flush.IsCompleted)
        {
            drained += Drain(sink, null);
            if (Environment.TickCount64 > deadline)
            {
                throw new TimeoutException("a flush into the relay did not complete within ten seconds");
            }

            spin.SpinOnce();
        }

        if (flush.Result.IsCompleted)
        {
            throw new InvalidOperationException("the relay stopped reading");
        }

        return drained;
    }
}
