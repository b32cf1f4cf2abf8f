namespace Gateway.Host.Audit;

/// <summary>One item of work for the audit log's single writer loop; keeping appends, checkpoints and probes in one queue orders them.</summary>
internal sealed class AuditCommand
{
    private AuditCommand(AuditCommandKind kind, AuditEvent? auditEvent = null)
    {
        Kind = kind;
        Event = auditEvent;
        if (kind == AuditCommandKind.Append)
        {
            Appended = new TaskCompletionSource<AuditRecord>(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        else if (kind == AuditCommandKind.Barrier)
        {
            Done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
    }

    public AuditCommandKind Kind { get; }

    public AuditEvent? Event { get; }

    /// <summary>Completed (off the writer thread) once the record is durable, or failed.</summary>
    public TaskCompletionSource<AuditRecord>? Appended { get; }

    public TaskCompletionSource? Done { get; }

    public static AuditCommand Append(AuditEvent auditEvent) => new(AuditCommandKind.Append, auditEvent);

    public static AuditCommand Checkpoint() => new(AuditCommandKind.Checkpoint);

    public static AuditCommand Probe() => new(AuditCommandKind.Probe);

    public static AuditCommand Barrier() => new(AuditCommandKind.Barrier);

    public static AuditCommand Stop() => new(AuditCommandKind.Stop);
}
