namespace Gateway.Host.Grants;

/// <summary>
/// The grant state machine as pure functions: each transition checks the current state, returns the next version
/// of the grant, and never touches storage or the clock itself (time is passed in), so that it can be tested with a
/// fake clock and shared by every instance.
/// </summary>
internal static class GrantLifecycle
{
    /// <summary>Records an approval; the grant becomes active once the policy's number of approvals is reached.</summary>
    public static Grant Approve(Grant grant, AccessPolicy policy, string approver, string? reason, DateTimeOffset now)
    {
        RequireStatus(grant, GrantStatus.Requested, "approve");
        if (string.Equals(approver, grant.Agent, StringComparison.Ordinal))
        {
            throw new GrantException(GrantError.Forbidden, "the requester can never approve its own grant");
        }

        if (grant.Decisions.Any(decision => decision.Approved && decision.By == approver))
        {
            throw new GrantException(GrantError.Conflict, $"{approver} has already approved grant {grant.Id}");
        }

        if (policy.Hours is { } hours && !hours.Contains(now))
        {
            throw new GrantException(GrantError.Forbidden, $"policy {policy.Name} allows access only between {hours.From:HH\\:mm} and {hours.To:HH\\:mm} ({hours.Zone.Id})");
        }

        var decisions = grant.Decisions.Append(new GrantDecision(approver, true, now, reason)).ToList();
        int approvals = decisions.Count(decision => decision.Approved);
        if (approvals < (policy.IsAutomatic ? 1 : policy.RequiredApprovals))
        {
            return grant with { Decisions = decisions, Version = grant.Version + 1 };
        }

        DateTimeOffset expires = now + grant.Duration;
        if (policy.Hours is { } window && window.EndOfWindow(now) < expires)
        {
            expires = window.EndOfWindow(now);
        }

        return grant with
        {
            Decisions = decisions,
            Status = GrantStatus.Approved,
            ApprovedAt = now,
            ExpiresAt = expires,
            Version = grant.Version + 1,
        };
    }

    public static Grant Deny(Grant grant, string by, string reason, DateTimeOffset now)
    {
        RequireStatus(grant, GrantStatus.Requested, "deny");
        return grant with
        {
            Decisions = [.. grant.Decisions, new GrantDecision(by, false, now, reason)],
            Status = GrantStatus.Denied,
            EndedAt = now,
            EndedBy = by,
            EndReason = reason,
            Version = grant.Version + 1,
        };
    }

    /// <summary>Ends an active grant early (or withdraws a pending request).</summary>
    public static Grant Revoke(Grant grant, string by, string reason, DateTimeOffset now)
    {
        if (grant.Status is not (GrantStatus.Requested or GrantStatus.Approved) || grant.Status == GrantStatus.Approved && now >= grant.ExpiresAt)
        {
            throw new GrantException(GrantError.Conflict, $"grant {grant.Id} is {Describe(grant, now)}; only a pending or active grant can be revoked");
        }

        return grant with { Status = GrantStatus.Revoked, EndedAt = now, EndedBy = by, EndReason = reason, Version = grant.Version + 1 };
    }

    /// <summary>Marks an approved grant whose window has passed as expired; null when it is not due.</summary>
    public static Grant? Expire(Grant grant, DateTimeOffset now)
        => grant.Status == GrantStatus.Approved && grant.ExpiresAt <= now
            ? grant with { Status = GrantStatus.Expired, EndedAt = grant.ExpiresAt, EndedBy = "gateway", EndReason = "window ended", Version = grant.Version + 1 }
            : null;

    public static Grant IssueCredential(Grant grant, string verifier, DateTimeOffset now)
    {
        if (!grant.IsActiveAt(now))
        {
            throw new GrantException(GrantError.Conflict, $"grant {grant.Id} is {Describe(grant, now)}; a credential is issued only for an active grant");
        }

        if (grant.Verifier is not null)
        {
            throw new GrantException(GrantError.Conflict, $"the credential of grant {grant.Id} was already issued; it is shown only once (request a new grant)");
        }

        return grant with { Verifier = verifier, CredentialIssuedAt = now, Version = grant.Version + 1 };
    }

    /// <summary>The state in words, with approved grants told apart as active or past their window.</summary>
    public static string Describe(Grant grant, DateTimeOffset now) => grant.Status switch
    {
        GrantStatus.Requested => "waiting for approval",
        GrantStatus.Approved => now < grant.ExpiresAt ? "active" : "expired",
        GrantStatus.Denied => "denied",
        GrantStatus.Expired => "expired",
        _ => "revoked",
    };

    private static void RequireStatus(Grant grant, GrantStatus status, string verb)
    {
        if (grant.Status != status)
        {
            throw new GrantException(GrantError.Conflict, $"cannot {verb} grant {grant.Id}: it is {grant.Status.ToString().ToLowerInvariant()}");
        }
    }
}
