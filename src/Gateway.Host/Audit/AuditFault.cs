namespace Gateway.Host.Audit;

/// <summary>Why the log stopped writing, kept until the <c>audit.recovered</c> record names it.</summary>
internal sealed class AuditFault(DateTimeOffset time, string kind, string detail)
{
    public DateTimeOffset Time { get; } = time;

    /// <summary><c>ENOSPC</c>, <c>EIO</c>, <c>EACCES</c> or an exception type name.</summary>
    public string Kind { get; } = kind;

    public string Detail { get; } = detail;
}
