namespace Gateway.Host.Audit;

/// <summary>Where and how the audit log is kept.</summary>
internal sealed record AuditLogOptions
{
    public const long DefaultSegmentMaxBytes = 64L * 1024 * 1024;

    /// <summary>The log directory: segments, <c>checkpoints.log</c>, <c>log.json</c> and the signing key.</summary>
    public required string Directory { get; init; }

    /// <summary>A segment is closed before the batch that would take it past this size.</summary>
    public long SegmentMaxBytes { get; init; } = DefaultSegmentMaxBytes;

    /// <summary>How often a signed checkpoint is written, whether or not anything was appended.</summary>
    public TimeSpan CheckpointInterval { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>How often a failed log tries to write again.</summary>
    public TimeSpan ProbeInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>A file outside the log directory that receives every checkpoint (and, beside it, the public key).</summary>
    public string? WitnessFile { get; init; }

    /// <summary>An endpoint that receives every checkpoint as a JSON POST; failures are retried with the next checkpoint.</summary>
    public Uri? WitnessUrl { get; init; }

    /// <summary>The client for <see cref="WitnessUrl"/>; one with a 10 s timeout is made when absent.</summary>
    public HttpClient? WitnessHttpClient { get; init; }

    /// <summary>
    /// Called on the log's writer after each durable batch, in order (e.g. to feed an index). It must be quick and must
    /// not append to the log; exceptions are logged and ignored.
    /// </summary>
    public Action<IReadOnlyList<AuditRecord>>? RecordsDurable { get; init; }

    /// <summary>
    /// Opens a log file for writing at its end (segments, checkpoints, quarantine). A seam for fault-injection tests;
    /// the default opens a <see cref="FileStream"/>.
    /// </summary>
    internal Func<string, Stream> OpenWrite { get; init; } = AuditFiles.OpenWrite;
}
