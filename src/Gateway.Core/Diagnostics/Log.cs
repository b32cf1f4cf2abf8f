using System.Net;
using Gateway.Core.Transport;
using Microsoft.Extensions.Logging;

namespace Gateway.Core.Diagnostics;

/// <summary>
/// The gateway's log messages. None takes payload bytes, passwords or SCRAM data: only identities, targets,
/// message codes, offsets and lengths.
/// </summary>
internal static partial class Log
{
    [LoggerMessage(EventId = GatewayEventId.SessionOpened, Level = LogLevel.Information,
        Message = "Session {SessionId} opened: identity {Identity} from {RemoteEndPoint} to target {Target} (TLS {IsTls})")]
    public static partial void SessionOpened(ILogger logger, long sessionId, string identity, EndPoint? remoteEndPoint, string target, bool isTls);

    [LoggerMessage(EventId = GatewayEventId.SessionClosed, Level = LogLevel.Information,
        Message = "Session {SessionId} closed: {CloseReason} after {DurationMs} ms, {BytesFromClient} bytes from client, {BytesFromServer} bytes from server")]
    public static partial void SessionClosed(ILogger logger, long sessionId, CloseReason closeReason, long durationMs, long bytesFromClient, long bytesFromServer);

    [LoggerMessage(EventId = GatewayEventId.SessionRefused, Level = LogLevel.Warning,
        Message = "Connection from {RemoteEndPoint} refused: {CloseReason}: {Detail}")]
    public static partial void SessionRefused(ILogger logger, EndPoint? remoteEndPoint, CloseReason closeReason, string detail);

    [LoggerMessage(EventId = GatewayEventId.ConnectionAbandoned, Level = LogLevel.Debug,
        Message = "Connection from {RemoteEndPoint} closed before sending a startup packet")]
    public static partial void ConnectionAbandoned(ILogger logger, EndPoint? remoteEndPoint);

    [LoggerMessage(EventId = GatewayEventId.SessionTerminating, Level = LogLevel.Information,
        Message = "Session {SessionId} is being ended: {CloseReason}")]
    public static partial void SessionTerminating(ILogger logger, long sessionId, CloseReason closeReason);

    [LoggerMessage(EventId = GatewayEventId.ProtocolViolation, Level = LogLevel.Warning,
        Message = "Session {SessionId}: {CloseReason}: {Detail}")]
    public static partial void ProtocolViolation(ILogger logger, long sessionId, CloseReason closeReason, string detail);

    [LoggerMessage(EventId = GatewayEventId.SessionFailed, Level = LogLevel.Error,
        Message = "Session {SessionId} failed unexpectedly ({ExceptionType})")]
    public static partial void SessionFailed(ILogger logger, long sessionId, string exceptionType);

    [LoggerMessage(EventId = GatewayEventId.UpstreamConnectFailed, Level = LogLevel.Warning,
        Message = "Session {SessionId}: cannot reach target {Target}: {Detail}")]
    public static partial void UpstreamConnectFailed(ILogger logger, long sessionId, string target, string detail);

    [LoggerMessage(EventId = GatewayEventId.UpstreamLoginFailed, Level = LogLevel.Warning,
        Message = "Session {SessionId}: target {Target} refused the gateway's login: {Detail}")]
    public static partial void UpstreamLoginFailed(ILogger logger, long sessionId, string target, string detail);

    [LoggerMessage(EventId = GatewayEventId.CancelForwarded, Level = LogLevel.Debug,
        Message = "Cancel request forwarded for session {SessionId}")]
    public static partial void CancelForwarded(ILogger logger, long sessionId);

    [LoggerMessage(EventId = GatewayEventId.CancelIgnored, Level = LogLevel.Debug,
        Message = "Cancel request from {RemoteEndPoint} matched no session")]
    public static partial void CancelIgnored(ILogger logger, EndPoint? remoteEndPoint);

    [LoggerMessage(EventId = GatewayEventId.ListenerStarted, Level = LogLevel.Information,
        Message = "Listening on {EndPoint} (TLS {TlsMode})")]
    public static partial void ListenerStarted(ILogger logger, EndPoint endPoint, string tlsMode);

    [LoggerMessage(EventId = GatewayEventId.ListenerStopped, Level = LogLevel.Information,
        Message = "Stopped listening on {EndPoint}")]
    public static partial void ListenerStopped(ILogger logger, EndPoint endPoint);

    [LoggerMessage(EventId = GatewayEventId.AcceptFailed, Level = LogLevel.Warning,
        Message = "Accepting a connection on {EndPoint} failed: {SocketError}")]
    public static partial void AcceptFailed(ILogger logger, EndPoint endPoint, string socketError);

    [LoggerMessage(EventId = GatewayEventId.TlsHandshakeFailed, Level = LogLevel.Information,
        Message = "TLS handshake with {RemoteEndPoint} failed ({ExceptionType})")]
    public static partial void TlsHandshakeFailed(ILogger logger, EndPoint? remoteEndPoint, string exceptionType);
}
