namespace Gateway.Host.Audit;

/// <summary>What an <see cref="AuditWriterCommand"/> asks the writer to do.</summary>
internal enum AuditWriterCommandKind
{
    Append,
    Checkpoint,
    Probe,
    Barrier,
    Stop,
}
