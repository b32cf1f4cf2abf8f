namespace Gateway.Core.Transport;

/// <summary>
/// Why a session ended. Every session ends with exactly one reason; it is stored on the session, passed to the
/// pipes when they are completed and written to the audit log. Values are grouped by hundreds and are stable:
/// hosts persist them.
/// </summary>
public enum CloseReason
{
    /// <summary>The session has not ended.</summary>
    None = 0,

    /// <summary>The client sent Terminate.</summary>
    ClientTerminate = 100,
    /// <summary>The client closed its side of the connection without Terminate.</summary>
    ClientEndOfStream = 101,
    /// <summary>Reading from or writing to the client failed (reset, aborted).</summary>
    ClientConnectionError = 102,
    /// <summary>The client broke the protocol: bad length, unknown message, wrong order.</summary>
    ClientProtocolViolation = 103,
    /// <summary>A client message was longer than the configured maximum.</summary>
    MessageTooLarge = 104,
    /// <summary>The client sent a CancelRequest; such connections end after forwarding it.</summary>
    CancelRequest = 105,

    /// <summary>The client did not complete TLS and authentication within the login timeout.</summary>
    StartupTimeout = 200,
    /// <summary>The client asked for a protocol version the gateway does not speak.</summary>
    UnsupportedProtocol = 201,
    /// <summary>The listener requires TLS and the client did not negotiate it.</summary>
    TlsRequired = 202,
    /// <summary>The TLS handshake with the client failed.</summary>
    TlsHandshakeFailed = 203,
    /// <summary>The client asked for a startup parameter the gateway refuses (replication, options).</summary>
    StartupParameterRefused = 204,
    /// <summary>The client's SCRAM proof was wrong, or the user is unknown.</summary>
    AuthenticationFailed = 205,
    /// <summary>The credential was right but the authorizer refused the session.</summary>
    AuthorizationDenied = 206,
    /// <summary>The authorizer could not serve the session now (for example, the host's audit trail is not writable).</summary>
    ServiceUnavailable = 207,

    /// <summary>The gateway could not connect to, or negotiate TLS with, the upstream server.</summary>
    UpstreamConnectFailed = 300,
    /// <summary>The upstream server refused the gateway's credentials or startup.</summary>
    UpstreamAuthenticationFailed = 301,
    /// <summary>The upstream server closed the connection.</summary>
    ServerEndOfStream = 302,
    /// <summary>Reading from or writing to the upstream server failed.</summary>
    ServerConnectionError = 303,
    /// <summary>The upstream server broke the protocol.</summary>
    ServerProtocolViolation = 304,
    /// <summary>The upstream server sent a FATAL or PANIC error and ended the session.</summary>
    ServerFatalError = 305,

    /// <summary>The session's deadline (its grant's end) passed.</summary>
    GrantExpired = 400,
    /// <summary>The host revoked the session's grant.</summary>
    GrantRevoked = 401,
    /// <summary>The host ended the session for a reason of its own (for example, audit storage failure).</summary>
    TerminatedByHost = 402,
    /// <summary>The gateway is shutting down.</summary>
    Shutdown = 403,
    /// <summary>The session's recording could not be written (a full disk, an I/O error); nothing unrecorded is relayed.</summary>
    RecordingFailed = 404,

    /// <summary>The gateway or a message hook failed unexpectedly; the session was ended rather than risk a leak.</summary>
    InternalError = 500,
}
