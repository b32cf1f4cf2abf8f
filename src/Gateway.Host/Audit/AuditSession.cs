namespace Gateway.Host.Audit;

/// <summary>
/// One connection as the reviewer sees it, kept in the index beside the chain: who (agent and grant), where (target,
/// scope, database), when (start, end, why it ended), what (statements, rows, masked values) and where its recording
/// is with the seal that the chain's closing record commits to. Built from the audit records; the chain, not this
/// row, is the source of truth.
/// </summary>
internal sealed record AuditSession
{
    /// <summary>The gateway's id for the connection (<c>s_…</c>), also the recording's file name.</summary>
    public required string Id { get; init; }

    /// <summary>The audit log that holds this session's records.</summary>
    public required string LogId { get; init; }

    public required string GrantId { get; init; }

    public required string Agent { get; init; }

    public required string Target { get; init; }

    public required string Scope { get; init; }

    public required string Access { get; init; }

    public string? Database { get; init; }

    public string? ClientAddress { get; init; }

    public bool Tls { get; init; }

    public string? ApplicationName { get; init; }

    public required DateTimeOffset StartedAt { get; init; }

    public DateTimeOffset? EndedAt { get; init; }

    /// <summary>The <c>CloseReason</c>, e.g. <c>GrantExpired</c>, <c>ClientTerminate</c>; null while the session runs.</summary>
    public string? EndReason { get; init; }

    public string? EndDetail { get; init; }

    public long Statements { get; init; }

    public long RowsReturned { get; init; }

    public long BytesFromClient { get; init; }

    public long BytesFromServer { get; init; }

    public IReadOnlyDictionary<string, long> MaskedByRule { get; init; } = new Dictionary<string, long>();

    public IReadOnlyDictionary<string, long> MaskedByDetector { get; init; } = new Dictionary<string, long>();

    /// <summary>The recording file, relative to the recordings directory; null when recording is off.</summary>
    public string? Recording { get; init; }

    /// <summary>SHA-256 of the sealed recording file, as committed in the closing record.</summary>
    public string? RecordingSha256 { get; init; }

    public string? RecordingChainHead { get; init; }

    public long RecordingRecords { get; init; }

    public bool RecordingTruncated { get; init; }

    /// <summary>Sequence numbers of the opening and closing records in the audit log.</summary>
    public long OpenedSeq { get; init; }

    public long ClosedSeq { get; init; }
}
