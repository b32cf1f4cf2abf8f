namespace Gateway.Host.Grants;

/// <summary>Why a control-plane operation was refused; the API maps each to an HTTP status.</summary>
internal enum GrantError
{
    /// <summary>The request itself is wrong (400).</summary>
    Invalid,

    /// <summary>The caller may not do this (403).</summary>
    Forbidden,

    /// <summary>No such grant, or not one the caller may see (404).</summary>
    NotFound,

    /// <summary>The grant is not in a state that allows it, or changed meanwhile (409).</summary>
    Conflict,

    /// <summary>The gateway cannot record the change now: its audit log is not writable (503).</summary>
    Unavailable,
}
