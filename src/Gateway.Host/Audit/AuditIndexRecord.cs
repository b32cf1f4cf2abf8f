namespace Gateway.Host.Audit;

/// <summary>An audit record as the index keeps it: the columns queries filter on, and the record's line from the chain.</summary>
internal sealed record AuditIndexRecord(
    string LogId, long Seq, DateTimeOffset Time, string Type, string? Agent, string? GrantId, string? SessionId, string Line);
