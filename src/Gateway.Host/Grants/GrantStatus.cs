namespace Gateway.Host.Grants;

/// <summary>Where a grant is in its life: requested, then approved or denied, then (if approved) expired or revoked.</summary>
internal enum GrantStatus
{
    /// <summary>Waiting for approval.</summary>
    Requested,

    /// <summary>Approved; active from approval until its expiry.</summary>
    Approved,

    /// <summary>Refused by a reviewer or an admin.</summary>
    Denied,

    /// <summary>Its window ended.</summary>
    Expired,

    /// <summary>Ended early by a reviewer, an admin or the agent itself.</summary>
    Revoked,
}
