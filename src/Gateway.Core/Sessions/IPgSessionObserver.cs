namespace Gateway.Core.Sessions;

/// <summary>
/// Receives every connection's end and every session's lifecycle, for audit logs, recordings and metrics. Calls
/// are synchronous and happen on the session's own flow, so implementations must be quick and must not throw.
/// </summary>
public interface IPgSessionObserver
{
    /// <summary>
    /// A connection ended before a session opened: failed authentication, a refusal, an upstream failure, a protocol
    /// violation, or a client that went away. Cancel-request connections are not reported.
    /// </summary>
    void OnLoginFailed(PgLoginFailure failure);

    /// <summary>A session is authenticated and connected upstream; relaying starts after this returns.</summary>
    void OnOpened(PgSession session);

    /// <summary>A session that was opened has ended; <see cref="PgSession.CloseReason"/> says why.</summary>
    void OnClosed(PgSession session);
}
