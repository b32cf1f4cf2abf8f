using System.Text.Json.Serialization;
using Gateway.Host.Grants;
using Gateway.Host.Identities;

namespace Gateway.Host.Control;

/// <summary>A grant as the control API shows it. The credential appears once, in the response that issues it.</summary>
internal sealed record GrantView(
    string Id, string Agent, string Target, string Scope, string Access, IReadOnlyList<string> Tables,
    string Task, string? Justification, string Duration, string Policy, string Status,
    DateTimeOffset RequestedAt, DateTimeOffset? ApprovedAt, DateTimeOffset? ExpiresAt,
    IReadOnlyList<DecisionView> Decisions, DateTimeOffset? EndedAt, string? EndedBy, string? EndReason,
    bool CredentialIssued, CredentialView? Credential)
{
    public static GrantView From(Grant grant, DateTimeOffset now, GrantCredential? credential = null) => new(
        grant.Id, grant.Agent, grant.Target, grant.Scope, grant.Access, grant.Tables, grant.Task, grant.Justification,
        DurationText.Format(grant.Duration), grant.Policy, StatusOf(grant, now), grant.RequestedAt, grant.ApprovedAt, grant.ExpiresAt,
        [.. grant.Decisions.Select(d => new DecisionView(d.By, d.Approved ? "approved" : "denied", d.At, d.Reason))],
        grant.EndedAt, grant.EndedBy, grant.EndReason, grant.Verifier is not null || credential is not null,
        credential is null ? null : new CredentialView(credential.User, credential.Password, credential.Database, credential.Host, credential.Port, credential.ConnectionUri));

    /// <summary>requested, active, expired, denied or revoked.</summary>
    public static string StatusOf(Grant grant, DateTimeOffset now) => grant.Status switch
    {
        GrantStatus.Requested => "requested",
        GrantStatus.Approved => grant.IsActiveAt(now) ? "active" : "expired",
        GrantStatus.Denied => "denied",
        GrantStatus.Expired => "expired",
        _ => "revoked",
    };
}

internal sealed record DecisionView(string By, string Decision, DateTimeOffset At, string? Reason);

internal sealed record CredentialView(string User, string Password, string Database, string Host, int Port, string ConnectionUri);

/// <summary>POST /v1/grants. With <c>wait</c>, the call waits that many seconds for a decision; an active grant comes back with its credential unless <c>issueCredential</c> is false.</summary>
internal sealed record GrantRequestBody(string Target, string Scope, string Duration, string Task, string? Justification, int? Wait, bool? IssueCredential);

internal sealed record ReasonBody(string? Reason);

internal sealed record IdentityBody(string Name, string Kind, List<string>? Groups);

internal sealed record IdentityView(string Name, string Kind, IReadOnlyList<string> Groups, string Source, bool Disabled)
{
    public static IdentityView From(Identity identity)
        => new(identity.Name, identity.Kind.ToString().ToLowerInvariant(), identity.Groups, identity.Source, identity.Disabled);
}

internal sealed record CreatedIdentityView(IdentityView Identity, string ApiKey);

[JsonSourceGenerationOptions(System.Text.Json.JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(GrantView))]
[JsonSerializable(typeof(List<GrantView>))]
[JsonSerializable(typeof(GrantRequestBody))]
[JsonSerializable(typeof(ReasonBody))]
[JsonSerializable(typeof(IdentityBody))]
[JsonSerializable(typeof(IdentityView))]
[JsonSerializable(typeof(List<IdentityView>))]
[JsonSerializable(typeof(CreatedIdentityView))]
[JsonSerializable(typeof(AuditSessionView))]
[JsonSerializable(typeof(List<AuditSessionView>))]
[JsonSerializable(typeof(AuditSessionDetailView))]
[JsonSerializable(typeof(AuditGrantView))]
[JsonSerializable(typeof(AuditVerifyView))]
internal sealed partial class ControlJsonContext : JsonSerializerContext;
