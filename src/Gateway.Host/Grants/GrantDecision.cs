namespace Gateway.Host.Grants;

/// <summary>One decision on a grant: an approval or denial by a person, or an approval by a policy.</summary>
/// <param name="By">The reviewer's name, or <c>policy:&lt;name&gt;</c> for an automatic approval.</param>
/// <param name="Approved">True for an approval, false for a denial.</param>
/// <param name="At">When.</param>
/// <param name="Reason">Why, in the decider's words.</param>
internal sealed record GrantDecision(string By, bool Approved, DateTimeOffset At, string? Reason);
