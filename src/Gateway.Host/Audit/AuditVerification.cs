namespace Gateway.Host.Audit;

/// <summary>The verifier's report on one log directory.</summary>
internal sealed class AuditVerification
{
    /// <summary>Record problems in file order first, then checkpoint and witness problems.</summary>
    public required IReadOnlyList<AuditFinding> Errors { get; init; }

    public required IReadOnlyList<AuditFinding> Warnings { get; init; }

    /// <summary>
    /// Records whose hashes chain, unbroken, into a validly signed checkpoint that matches the chain: these are
    /// authentic. A record outside every range is altered, unlinked, or not yet covered by a checkpoint.
    /// </summary>
    public required IReadOnlyList<AuditSeqRange> VerifiedRanges { get; init; }

    /// <summary>The number of whole record lines read.</summary>
    public required long RecordCount { get; init; }

    /// <summary>The highest seq present.</summary>
    public required long LastSeq { get; init; }

    public required int CheckpointCount { get; init; }

    public required int WitnessedCheckpointCount { get; init; }

    public bool IsValid => Errors.Count == 0;

    /// <summary>The first bad record when a record is bad, else the first checkpoint or witness problem.</summary>
    public AuditFinding? FirstError => Errors.Count > 0 ? Errors[0] : null;

    public bool Covers(long seq) => VerifiedRanges.Any(range => range.Contains(seq));
}
