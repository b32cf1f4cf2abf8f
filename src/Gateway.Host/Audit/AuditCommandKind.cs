namespace Gateway.Host.Audit;

/// <summary>What an <see cref="AuditCommand"/> asks the writer to do.</summary>
internal enum AuditCommandKind
{
    Append,
    Checkpoint,
    Probe,
    Barrier,
    Stop,
}
