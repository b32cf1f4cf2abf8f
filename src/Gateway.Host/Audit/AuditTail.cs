namespace Gateway.Host.Audit;

/// <summary>Where the log left off, as found (and made whole) when it is opened.</summary>
internal sealed record AuditTail
{
    public required int SegmentNumber { get; init; }

    public required long SegmentLength { get; init; }

    public required long LastSeq { get; init; }

    public required string LastHash { get; init; }

    public string? LastType { get; init; }

    public string? QuarantineFile { get; init; }

    public long QuarantinedBytes { get; init; }

    public required long CheckpointsLength { get; init; }

    public required string LastCheckpointHash { get; init; }

    public DateTimeOffset LastCheckpointTime { get; init; }

    /// <summary>The previous run did not end with <c>gateway.stop</c>, or left a torn record.</summary>
    public bool IsUnclean => QuarantinedBytes > 0 || (LastSeq > 0 && LastType != AuditEventTypes.GatewayStop);
}
