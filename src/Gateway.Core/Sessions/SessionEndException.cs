using Gateway.Core.Transport;

namespace Gateway.Core.Sessions;

/// <summary>
/// Unwinds a session during startup with its close reason, the detail for logs and audit, and optionally the FATAL
/// error the client should see. Never carries payload bytes.
/// </summary>
internal sealed class SessionEndException : Exception
{
    public SessionEndException(CloseReason reason, string detail, string? sqlState = null, string? clientMessage = null)
        : base(detail)
    {
        Reason = reason;
        SqlState = sqlState;
        ClientMessage = clientMessage;
    }

    public SessionEndException()
        : this(CloseReason.InternalError, "session ended")
    {
    }

    public SessionEndException(string message)
        : this(CloseReason.InternalError, message)
    {
    }

    public SessionEndException(string message, Exception innerException)
        : base(message, innerException)
    {
        Reason = CloseReason.InternalError;
    }

    public CloseReason Reason { get; }

    public string? SqlState { get; }

    public string? ClientMessage { get; }
}
