namespace Gateway.Host.Audit;

/// <summary>A reviewer's question: sessions of an agent, a target, a grant, started in a time range.</summary>
internal sealed record AuditSessionQuery(string? Agent, string? Target, string? GrantId, DateTimeOffset? From, DateTimeOffset? To, int Limit);
