namespace Gateway.Host.Recording;

/// <summary>Where recordings go and how they are written.</summary>
internal sealed record RecordingStoreOptions
{
    /// <summary>The root directory; recordings go to <c>&lt;Directory&gt;/&lt;yyyy-MM-dd&gt;/&lt;session&gt;.pgrec.zst</c>.</summary>
    public required string Directory { get; init; }

    /// <summary>Wire bytes (both directions) recorded per session; past this a <c>truncated</c> record is written and payloads stop (counts continue).</summary>
    public long MaxBytesPerSession { get; init; } = 256L << 20;

    /// <summary>A session's pending records are written out at least this often (at most one second).</summary>
    public TimeSpan FlushInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>zstd level (1-22). 1 by default: ZstdSharp (managed) compresses DataRow streams several times faster at 1 than at 3, for about the same ratio.</summary>
    public int CompressionLevel { get; init; } = 1;

    /// <summary>Background writers shared by all sessions.</summary>
    public int Workers { get; init; } = Math.Clamp(Environment.ProcessorCount / 2, 1, 4);

    /// <summary>Uncompressed size at which a frame is closed early, and a session's pending bytes at which it is written out without waiting for the interval.</summary>
    public int FrameBytes { get; init; } = 1 << 20;

    /// <summary>Wire bytes a session may have waiting for the writer before its relay waits (backpressure).</summary>
    public long MaxPendingBytesPerSession { get; init; } = 8L << 20;

    /// <summary>Opens a recording's file; tests inject failing streams. Default: a new file, readable while written.</summary>
    public Func<string, Stream>? OpenStream { get; init; }

    public void Validate()
    {
        ArgumentException.ThrowIfNullOrEmpty(Directory);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxBytesPerSession, 0);
        if (FlushInterval <= TimeSpan.Zero || FlushInterval > TimeSpan.FromSeconds(1))
        {
            throw new ArgumentOutOfRangeException(nameof(FlushInterval), FlushInterval, "the flush interval must be positive and at most one second");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(CompressionLevel, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(CompressionLevel, 22);
        ArgumentOutOfRangeException.ThrowIfLessThan(Workers, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(FrameBytes, 4096);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxPendingBytesPerSession, FrameBytes);
    }
}
