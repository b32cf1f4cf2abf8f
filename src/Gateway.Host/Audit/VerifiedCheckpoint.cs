namespace Gateway.Host.Audit;

/// <summary>A checkpoint whose log id, key and signature were accepted, with where it was read.</summary>
internal sealed record VerifiedCheckpoint(AuditCheckpoint Checkpoint, string File, long Line, long Offset);
