using System.Buffers;
using System.IO.Pipelines;

namespace Gateway.Core.Transport;

/// <summary>
/// One <see cref="PipeOptions"/> per direction. Buffers come from a shared pool and are held only while data is in
/// flight (the socket reads with zero-length receives while idle), so an idle session pins no buffer. Continuations
/// run inline: a received segment is relayed and sent on the thread that received it, without a hop through the
/// thread pool.
/// </summary>
public static class TransportPipeOptions
{
    /// <summary>Unread bytes at which a socket stops receiving until the relay catches up (STYLE: 1 MiB).</summary>
    public const int ReceivePauseThreshold = 1024 * 1024;

    /// <summary>Unsent bytes at which the relay's flush waits for the socket to drain (STYLE: 64 KiB).</summary>
    public const int SendPauseThreshold = 64 * 1024;

    /// <summary>The size of one receive buffer: large enough that a wide result needs few receive calls.</summary>
    public const int SegmentSize = 16 * 1024;

    /// <summary>Options for the pipe a socket receives into.</summary>
    public static PipeOptions Receive { get; } = new(
        pool: MemoryPool<byte>.Shared,
        readerScheduler: PipeScheduler.Inline,
        writerScheduler: PipeScheduler.Inline,
        pauseWriterThreshold: ReceivePauseThreshold,
        resumeWriterThreshold: ReceivePauseThreshold / 2,
        minimumSegmentSize: SegmentSize,
        useSynchronizationContext: false);

    /// <summary>Options for the pipe a socket sends from.</summary>
    public static PipeOptions Send { get; } = new(
        pool: MemoryPool<byte>.Shared,
        readerScheduler: PipeScheduler.Inline,
        writerScheduler: PipeScheduler.Inline,
        pauseWriterThreshold: SendPauseThreshold,
        resumeWriterThreshold: SendPauseThreshold / 2,
        minimumSegmentSize: SegmentSize,
        useSynchronizationContext: false);
}
