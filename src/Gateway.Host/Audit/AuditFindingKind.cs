namespace Gateway.Host.Audit;

/// <summary>What the verifier found. The first group are errors, the second warnings.</summary>
internal enum AuditFindingKind
{
    ManifestInvalid,
    KeyMismatch,
    SegmentMissing,
    RecordMalformed,
    HashMismatch,
    BrokenLink,
    SequenceGap,
    SequenceDuplicate,
    TornRecord,
    CheckpointMalformed,
    ForeignLogId,
    KeyUnknown,
    BadSignature,
    CheckpointGap,
    CheckpointTimeBackwards,
    CheckpointSeqBackwards,
    CheckpointHeadMismatch,
    TailTruncated,
    WitnessContradicted,
    WitnessedCheckpointMissing,

    TornTail,
    UncleanShutdown,
    AuditOutage,
    QuarantinePresent,
    UncheckpointedTail,
    KeyFromLogDirectory,
    WitnessUnavailable,
}
