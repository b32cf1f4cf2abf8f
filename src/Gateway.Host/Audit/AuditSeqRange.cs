namespace Gateway.Host.Audit;

/// <summary>Records <see cref="First"/> to <see cref="Last"/> inclusive.</summary>
internal readonly record struct AuditSeqRange(long First, long Last)
{
    public bool Contains(long seq) => seq >= First && seq <= Last;
}
