namespace Gateway.Host.Grants;

/// <summary>
/// Access for one agent to one target and scope, for a window, for a stated task, approved by a policy or by
/// people other than the agent. It is the unit a reviewer asks about: who, what, when, why, approved by whom, how it
/// ended. Its connection credential exists only as a SCRAM verifier, issued once to the requesting agent.
/// </summary>
internal sealed record Grant
{
    /// <summary>Also the user name the agent connects with.</summary>
    public required string Id { get; init; }

    public required string Agent { get; init; }

    public required string Target { get; init; }

    public required string Scope { get; init; }

    /// <summary><c>read</c> or <c>write</c>, copied from the scope when requested.</summary>
    public required string Access { get; init; }

    /// <summary>The tables the scope's upstream role is limited to, copied when requested; empty for the whole database.</summary>
    public IReadOnlyList<string> Tables { get; init; } = [];

    public required string Task { get; init; }

    public string? Justification { get; init; }

    public required TimeSpan Duration { get; init; }

    /// <summary>The policy that allowed the request.</summary>
    public required string Policy { get; init; }

    public required DateTimeOffset RequestedAt { get; init; }

    public GrantStatus Status { get; init; } = GrantStatus.Requested;

    public IReadOnlyList<GrantDecision> Decisions { get; init; } = [];

    public DateTimeOffset? ApprovedAt { get; init; }

    public DateTimeOffset? ExpiresAt { get; init; }

    /// <summary>When it was denied, revoked or expired.</summary>
    public DateTimeOffset? EndedAt { get; init; }

    /// <summary>Who denied or revoked it (or <c>gateway</c> for an expiry).</summary>
    public string? EndedBy { get; init; }

    public string? EndReason { get; init; }

    /// <summary>The SCRAM-SHA-256 verifier of the connection credential, once issued.</summary>
    public string? Verifier { get; init; }

    public DateTimeOffset? CredentialIssuedAt { get; init; }

    /// <summary>Optimistic concurrency: every stored change increments it.</summary>
    public long Version { get; init; }

    /// <summary>Approved and inside its window at <paramref name="now"/>.</summary>
    public bool IsActiveAt(DateTimeOffset now)
        => Status == GrantStatus.Approved && ApprovedAt <= now && now < ExpiresAt;
}
