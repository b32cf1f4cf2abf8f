using Gateway.Core.Transport;

namespace Gateway.Core.Sessions;

/// <summary>
/// Receives session lifecycle events, for audit logs, recordings and metrics. Calls are synchronous and happen on
/// the session's own flow, so implementations must be quick and must not throw.
/// </summary>
public interface IPgSessionObserver
{
    /// <summary>A client failed authentication or authorization; nothing reached the upstream server.</summary>
    /// <param name="startup">What the client sent.</param>
    /// <param name="identity">The identity of the credential that was found, or null for an unknown user.</param>
    /// <param name="reason">The closing reason.</param>
    /// <param name="detail">Why, in words fit for the audit log.</param>
    void OnRefused(PgStartupContext startup, string? identity, CloseReason reason, string detail);

    /// <summary>A session is authenticated and connected upstream; relaying starts after this returns.</summary>
    void OnOpened(PgSession session);

    /// <summary>A session that was opened has ended.</summary>
    void OnClosed(PgSession session);
}
