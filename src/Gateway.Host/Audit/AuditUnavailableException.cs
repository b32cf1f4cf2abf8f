namespace Gateway.Host.Audit;

/// <summary>
/// The audit log cannot make a record durable (a write or fsync failed, or the log is closed). Callers must not
/// perform the audited action: the gateway fails closed.
/// </summary>
internal sealed class AuditUnavailableException : Exception
{
    public AuditUnavailableException()
    {
    }

    public AuditUnavailableException(string message)
        : base(message)
    {
    }

    public AuditUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
