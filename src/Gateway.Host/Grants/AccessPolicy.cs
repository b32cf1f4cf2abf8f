using System.Collections.Frozen;

namespace Gateway.Host.Grants;

/// <summary>
/// Who may request which target and scope, for how long, and how such a request is approved. The first policy that
/// matches a request decides it; none matching means the request is refused.
/// </summary>
internal sealed record AccessPolicy
{
    public const string Anyone = "*";

    public required string Name { get; init; }

    public required FrozenSet<string> Agents { get; init; }

    public required FrozenSet<string> Targets { get; init; }

    public required FrozenSet<string> Scopes { get; init; }

    public required TimeSpan MaxDuration { get; init; }

    /// <summary>Null approves automatically, with the policy recorded as the approver.</summary>
    public string? ReviewerGroup { get; init; }

    /// <summary>How many distinct reviewers of <see cref="ReviewerGroup"/> must approve.</summary>
    public int RequiredApprovals { get; init; } = 1;

    public AllowedHours? Hours { get; init; }

    public bool IsAutomatic => ReviewerGroup is null;

    public bool Matches(string agent, string target, string scope)
        => (Agents.Contains(agent) || Agents.Contains(Anyone)) && Targets.Contains(target) && Scopes.Contains(scope);
}
