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

    /// <summary>The default <see cref="CompressionLevel"/>; docs/benchmarks.md ("Session recording") has the measurements behind it.</summary>
    public const int DefaultCompressionLevel = -5;

    /// <summary>Lowest accepted level: zstd's negative ("fast") levels go lower, but gain little speed past this.</summary>
    public const int MinCompressionLevel = -50;

    /// <summary>
    /// zstd level, <see cref="MinCompressionLevel"/> to 22 (0 is zstd's default, 3). Negative levels trade ratio for
    /// speed, and ZstdSharp (managed) is slow enough that this decides what recording costs the relay's CPU: on a wide
    /// DataRow stream level 1 takes about twice the CPU of level -5 with <see cref="CompressLiterals"/>, for a ratio of
    /// 2.8 against 2.5.
    /// </summary>
    public int CompressionLevel { get; init; } = DefaultCompressionLevel;

    /// <summary>
    /// Huffman-code literals at negative levels too (zstd leaves them raw there; levels 1 and up always code them). On
    /// by default: on the wide benchmark it took the ratio from 1.49 to 2.48 for about 10 % more recording CPU.
    /// </summary>
    public bool CompressLiterals { get; init; } = true;

    /// <summary>
    /// Background writers shared by all sessions (never one per session). At least two, so that one session's frame
    /// being compressed does not hold up every other session's backpressure on a small machine.
    /// </summary>
    public int Workers { get; init; } = Math.Clamp(Environment.ProcessorCount / 2, 2, 4);

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

        ArgumentOutOfRangeException.ThrowIfLessThan(CompressionLevel, MinCompressionLevel);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(CompressionLevel, 22);
        ArgumentOutOfRangeException.ThrowIfLessThan(Workers, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(FrameBytes, 4096);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxPendingBytesPerSession, FrameBytes);
    }
}
