namespace Gateway.Host.Audit;

/// <summary>
/// A signed statement that the log held <see cref="Seq"/> records ending in <see cref="Head"/> at <see cref="Time"/>.
/// Checkpoints chain through <see cref="PrevCheckpoint"/> (the SHA-256 of the previous checkpoint's line), so a
/// removed one shows as a gap.
/// </summary>
internal sealed record AuditCheckpoint
{
    public required string LogId { get; init; }

    public required long Seq { get; init; }

    public required string Head { get; init; }

    public required DateTimeOffset Time { get; init; }

    public required string KeyId { get; init; }

    public required string PrevCheckpoint { get; init; }

    /// <summary>Lowercase hex of the ECDSA P-256 signature in IEEE P1363 form (r || s).</summary>
    public required string Signature { get; init; }

    /// <summary>Lowercase hex SHA-256 of the whole line, the next checkpoint's <see cref="PrevCheckpoint"/>.</summary>
    public required string Hash { get; init; }
}
