using System.Collections.Concurrent;
using System.Collections.Frozen;
using System.Security.Cryptography;
using Gateway.Core.Authentication;
using Gateway.Core.Transport;
using Gateway.Host.Audit;
using Gateway.Host.Configuration;
using Gateway.Host.Identities;
using Gateway.Host.Storage;
using Microsoft.Extensions.Logging;

namespace Gateway.Host.Grants;

/// <summary>
/// The control plane's verbs: request, approve, deny, revoke, issue the credential, show, list, wait. Each verb
/// checks the caller's right to it on its own (PROTO-14), then applies <see cref="GrantLifecycle"/> and stores the
/// result with an optimistic version check.
/// </summary>
internal sealed partial class GrantService(
    IControlStore store,
    LoadedConfiguration configuration,
    GrantEnforcer enforcer,
    AuditTrail audit,
    TimeProvider time,
    ILogger<GrantService> logger)
{
    private const int MaxTaskLength = 2000;
    private static readonly TimeSpan WaitPollInterval = TimeSpan.FromMilliseconds(250);

    private readonly FrozenDictionary<string, AccessPolicy> _policies = configuration.Policies.ToFrozenDictionary(p => p.Name, StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _decisions = new(StringComparer.Ordinal);

    public async Task<Grant> RequestAsync(Identity caller, GrantRequest request, CancellationToken cancellationToken)
    {
        if (caller.Kind != IdentityKind.Agent)
        {
            throw new GrantException(GrantError.Forbidden, "only agents request grants");
        }

        if (!configuration.Targets.TryGetValue(request.Target ?? string.Empty, out FrozenDictionary<string, TargetScope>? scopes)
            || !scopes.TryGetValue(request.Scope ?? string.Empty, out TargetScope? scope))
        {
            throw new GrantException(GrantError.Invalid, $"target \"{request.Target}\" has no scope \"{request.Scope}\"");
        }

        if (!DurationText.TryParse(request.Duration, out TimeSpan duration))
        {
            throw new GrantException(GrantError.Invalid, $"duration \"{request.Duration}\" is not a duration such as 30m, 2h or PT1H");
        }

        if (string.IsNullOrWhiteSpace(request.Task) || request.Task.Length > MaxTaskLength || request.Justification?.Length > MaxTaskLength)
        {
            throw new GrantException(GrantError.Invalid, $"a task is required (at most {MaxTaskLength} characters, as is the justification)");
        }

        AccessPolicy policy = configuration.Policies.FirstOrDefault(p => p.Matches(caller.Name, request.Target!, request.Scope!))
            ?? throw new GrantException(GrantError.Forbidden, $"no policy lets {caller.Name} request scope {request.Scope} on target {request.Target}");
        if (duration > policy.MaxDuration)
        {
            throw new GrantException(GrantError.Invalid, $"policy {policy.Name} allows at most {DurationText.Format(policy.MaxDuration)}");
        }

        DateTimeOffset now = time.GetUtcNow();
        if (policy.Hours is { } hours && !hours.Contains(now))
        {
            throw new GrantException(GrantError.Forbidden, $"policy {policy.Name} allows access only between {hours.From:HH\\:mm} and {hours.To:HH\\:mm} ({hours.Zone.Id})");
        }

        var grant = new Grant
        {
            Id = NewGrantId(),
            Agent = caller.Name,
            Target = request.Target!,
            Scope = scope.Name,
            Access = scope.Access,
            Tables = scope.Tables,
            Task = request.Task.Trim(),
            Justification = string.IsNullOrWhiteSpace(request.Justification) ? null : request.Justification.Trim(),
            Duration = duration,
            Policy = policy.Name,
            RequestedAt = now,
            Version = 1,
        };
        RequireAudit();
        await store.InsertGrantAsync(grant, cancellationToken);
        await RecordAsync(AuditEventTypes.GrantRequested, grant, caller.Name, request.Justification, cancellationToken);
        LogRequested(logger, grant.Id, grant.Agent, grant.Target, grant.Scope, DurationText.Format(duration), policy.Name);
        if (policy.IsAutomatic)
        {
            grant = await StoreAsync(GrantLifecycle.Approve(grant, policy, "policy:" + policy.Name, "approved by policy", now), cancellationToken, "approved", "policy:" + policy.Name, "approved by policy");
        }

        return grant;
    }

    public async Task<Grant> ApproveAsync(Identity caller, string id, string? reason, CancellationToken cancellationToken)
    {
        Grant grant = await LoadAsync(caller, id, cancellationToken);
        AccessPolicy policy = PolicyOf(grant);
        if (caller.Kind != IdentityKind.Reviewer || policy.ReviewerGroup is not { } group || !caller.Groups.Contains(group))
        {
            throw new GrantException(GrantError.Forbidden, $"only reviewers of group {policy.ReviewerGroup ?? "(none: the policy approves by itself)"} approve grants under policy {policy.Name}");
        }

        return await StoreAsync(GrantLifecycle.Approve(grant, policy, caller.Name, reason, time.GetUtcNow()), cancellationToken, "approval recorded", caller.Name, reason);
    }

    public async Task<Grant> DenyAsync(Identity caller, string id, string? reason, CancellationToken cancellationToken)
    {
        Grant grant = await LoadAsync(caller, id, cancellationToken);
        RequireDecider(caller, grant);
        return await StoreAsync(GrantLifecycle.Deny(grant, caller.Name, RequireReason(reason), time.GetUtcNow()), cancellationToken, "denied", caller.Name, reason);
    }

    /// <summary>Ends a grant early: its live sessions end at once, here and (within the watch interval) on every instance.</summary>
    public async Task<Grant> RevokeAsync(Identity caller, string id, string? reason, CancellationToken cancellationToken)
    {
        Grant grant = await LoadAsync(caller, id, cancellationToken);
        if (!(caller.Kind == IdentityKind.Agent && caller.Name == grant.Agent))
        {
            RequireDecider(caller, grant);
        }

        Grant revoked = await StoreAsync(GrantLifecycle.Revoke(grant, caller.Name, RequireReason(reason), time.GetUtcNow()), cancellationToken, "revoked", caller.Name, reason);
        int ended = enforcer.EndSessions(revoked.Id, CloseReason.GrantRevoked, GrantEnforcer.EndMessage(revoked));
        LogSessionsEnded(logger, revoked.Id, ended);
        return revoked;
    }

    /// <summary>Creates the grant's connection credential and returns it, once, to the agent that asked for the grant.</summary>
    public async Task<GrantCredential> IssueCredentialAsync(Identity caller, string id, CancellationToken cancellationToken)
    {
        Grant grant = await LoadAsync(caller, id, cancellationToken);
        if (caller.Name != grant.Agent)
        {
            throw new GrantException(GrantError.Forbidden, "only the agent that requested a grant receives its credential");
        }

        string secret = System.Buffers.Text.Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(24));
        await StoreAsync(GrantLifecycle.IssueCredential(grant, ScramVerifier.Create(secret).ToString(), time.GetUtcNow()), cancellationToken, "credential issued", caller.Name, null);
        (string host, int port) = GatewayAddress();
        return new GrantCredential(grant.Id, secret, grant.Target, host, port);
    }

    public Task<Grant> GetAsync(Identity caller, string id, CancellationToken cancellationToken) => LoadAsync(caller, id, cancellationToken);

    /// <summary>Waits up to <paramref name="wait"/> for a pending grant to be decided (a long poll), then returns it.</summary>
    public async Task<Grant> WaitAsync(Identity caller, string id, TimeSpan wait, CancellationToken cancellationToken)
    {
        Grant grant = await LoadAsync(caller, id, cancellationToken);
        DateTimeOffset until = time.GetUtcNow() + wait;
        while (grant.Status == GrantStatus.Requested && time.GetUtcNow() < until)
        {
            // Decisions made here complete the signal at once; ones made by another instance are seen by polling.
            TaskCompletionSource signal = _decisions.GetOrAdd(id, static _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
            TimeSpan remaining = until - time.GetUtcNow();
            await Task.WhenAny(signal.Task, Task.Delay(remaining < WaitPollInterval ? remaining : WaitPollInterval, time, cancellationToken));
            cancellationToken.ThrowIfCancellationRequested();
            grant = await LoadAsync(caller, id, cancellationToken);
        }

        return grant;
    }

    public async Task<IReadOnlyList<Grant>> ListAsync(Identity caller, GrantQuery query, CancellationToken cancellationToken)
    {
        // Agents see their own grants only, whatever they ask for.
        GrantQuery visible = caller.Kind == IdentityKind.Agent ? query with { Agent = caller.Name } : query;
        return await store.ListGrantsAsync(visible, cancellationToken);
    }

    private async Task<Grant> LoadAsync(Identity caller, string id, CancellationToken cancellationToken)
    {
        Grant? grant = await store.GetGrantAsync(id, cancellationToken);

        // To an agent, someone else's grant does not exist.
        if (grant is null || caller.Kind == IdentityKind.Agent && grant.Agent != caller.Name)
        {
            throw new GrantException(GrantError.NotFound, $"no grant {id}");
        }

        return grant;
    }

    /// <summary>Stores a change and records it in the audit log; refuses it beforehand when the log is down.</summary>
    private async Task<Grant> StoreAsync(Grant grant, CancellationToken cancellationToken, string change, string by, string? reason)
    {
        RequireAudit();
        if (!await store.UpdateGrantAsync(grant, cancellationToken))
        {
            throw new GrantException(GrantError.Conflict, $"grant {grant.Id} changed meanwhile; look at it again and retry");
        }

        string type = change switch
        {
            "credential issued" => AuditEventTypes.GrantCredentialIssued,
            "denied" => AuditEventTypes.GrantDenied,
            "revoked" => AuditEventTypes.GrantRevoked,
            _ => grant.Status == GrantStatus.Approved ? AuditEventTypes.GrantApproved : AuditEventTypes.GrantApprovalRecorded,
        };
        await RecordAsync(type, grant, by, reason, cancellationToken);
        if (type == AuditEventTypes.GrantApproved)
        {
            // In this model a grant is active from its approval; the separate record marks the start of its window.
            await RecordAsync(AuditEventTypes.GrantActivated, grant, by, null, cancellationToken);
        }

        enforcer.Schedule(grant);
        if (grant.Status != GrantStatus.Requested && _decisions.TryRemove(grant.Id, out TaskCompletionSource? signal))
        {
            signal.TrySetResult();
        }

        LogChanged(logger, grant.Id, change, grant.Status, grant.EndedBy ?? grant.Decisions.LastOrDefault()?.By ?? "-", grant.ExpiresAt);
        return grant;
    }

    private void RequireAudit()
    {
        if (!audit.IsAvailable)
        {
            throw new GrantException(GrantError.Unavailable, "the audit log is not writable; grants cannot change until it is");
        }
    }

    private async Task RecordAsync(string type, Grant grant, string by, string? reason, CancellationToken cancellationToken)
    {
        try
        {
            await audit.RecordGrantAsync(type, grant, by, reason, cancellationToken);
        }
        catch (AuditUnavailableException)
        {
            // Stored but not yet recorded: the log failed between the check and the write. The record is written
            // when the log is back; the caller is told.
            audit.RecordGrantWhenWritable(type, grant, by, reason);
            throw new GrantException(GrantError.Unavailable, $"grant {grant.Id} changed but the audit log failed to record it; the change is recorded when the log is writable again");
        }
    }

    private void RequireDecider(Identity caller, Grant grant)
    {
        AccessPolicy policy = PolicyOf(grant);
        bool reviewer = caller.Kind == IdentityKind.Reviewer && policy.ReviewerGroup is { } group && caller.Groups.Contains(group);
        if (!reviewer && caller.Kind != IdentityKind.Admin)
        {
            throw new GrantException(GrantError.Forbidden, $"only admins and reviewers of policy {policy.Name}'s group decide on its grants");
        }
    }

    private AccessPolicy PolicyOf(Grant grant)
        => _policies.TryGetValue(grant.Policy, out AccessPolicy? policy)
            ? policy
            : throw new GrantException(GrantError.Conflict, $"policy {grant.Policy} of grant {grant.Id} no longer exists");

    private (string Host, int Port) GatewayAddress()
    {
        string address = configuration.Control.GatewayAddress;
        int colon = address.LastIndexOf(':');
        return (address[..colon], int.Parse(address[(colon + 1)..], System.Globalization.CultureInfo.InvariantCulture));
    }

    private static string RequireReason(string? reason)
        => string.IsNullOrWhiteSpace(reason) || reason.Length > MaxTaskLength
            ? throw new GrantException(GrantError.Invalid, "a reason is required")
            : reason.Trim();

    /// <summary><c>g_</c> and twelve base32 characters (60 random bits): also a valid PostgreSQL user name.</summary>
    private static string NewGrantId() => Base32Id.New('g', 12);

    [LoggerMessage(EventId = 11_000, Level = LogLevel.Information, Message = "Grant {GrantId} requested by {Agent}: target {Target}, scope {Scope}, for {Duration}, under policy {Policy}")]
    private static partial void LogRequested(ILogger logger, string grantId, string agent, string target, string scope, string duration, string policy);

    [LoggerMessage(EventId = 11_001, Level = LogLevel.Information, Message = "Grant {GrantId} {Change} by {By}: {Status}, expires {ExpiresAt:u}")]
    private static partial void LogChanged(ILogger logger, string grantId, string change, GrantStatus status, string by, DateTimeOffset? expiresAt);

    [LoggerMessage(EventId = 11_002, Level = LogLevel.Information, Message = "Grant {GrantId} revoked; {Sessions} live sessions ended")]
    private static partial void LogSessionsEnded(ILogger logger, string grantId, int sessions);
}
