namespace Gateway.Host.Audit;

/// <summary>
/// One problem or caution, located: the file, the 1-based line and the byte offset where that line starts, and the
/// record's (or checkpoint's) seq when it could be read.
/// </summary>
internal sealed record AuditFinding(AuditFindingKind Kind, string File, long Line, long Offset, long? Seq, string Message)
{
    public override string ToString()
        => $"{Kind} at {File}:{Line} (offset {Offset}{(Seq is { } seq ? $", seq {seq}" : string.Empty)}): {Message}";
}
