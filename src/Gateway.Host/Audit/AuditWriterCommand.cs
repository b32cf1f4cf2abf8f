namespace Gateway.Host.Audit;

/// <summary>One item of work for the audit log's single writer loop; keeping appends, checkpoints and probes in one queue orders them.</summary>
internal sealed class AuditWriterCommand
{
    private AuditWriterCommand(AuditWriterCommandKind kind, AuditEvent? auditEvent = null)
    {
        Kind = kind;
        Event = auditEvent;
        if (kind == AuditWriterCommandKind.Append)
        {
            Appended = new TaskCompletionSource<AuditRecord>(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        else if (kind == AuditWriterCommandKind.Barrier)
        {
            Done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
    }

    public AuditWriterCommandKind Kind { get; }

    public AuditEvent? Event { get; }

    /// <summary>Completed (off the writer thread) once the record is durable, or failed.</summary>
    public TaskCompletionSource<AuditRecord>? Appended { get; }

    public TaskCompletionSource? Done { get; }

    public static AuditWriterCommand Append(AuditEvent auditEvent) => new(AuditWriterCommandKind.Append, auditEvent);

    public static AuditWriterCommand Checkpoint() => new(AuditWriterCommandKind.Checkpoint);

    public static AuditWriterCommand Probe() => new(AuditWriterCommandKind.Probe);

    public static AuditWriterCommand Barrier() => new(AuditWriterCommandKind.Barrier);

    public static AuditWriterCommand Stop() => new(AuditWriterCommandKind.Stop);
}
