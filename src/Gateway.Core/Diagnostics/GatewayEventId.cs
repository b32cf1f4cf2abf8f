namespace Gateway.Core.Diagnostics;

/// <summary>Event ids of the gateway's log messages; each area owns a range of 1000.</summary>
internal static class GatewayEventId
{
    // Sessions: 1000-1999
    public const int SessionOpened = 1000;
    public const int SessionClosed = 1001;
    public const int SessionRefused = 1002;
    public const int SessionTerminating = 1003;
    public const int ProtocolViolation = 1004;
    public const int SessionFailed = 1005;
    public const int ConnectionAbandoned = 1006;

    // Upstream: 2000-2999
    public const int UpstreamConnectFailed = 2000;
    public const int UpstreamLoginFailed = 2001;
    public const int CancelForwarded = 2002;
    public const int CancelIgnored = 2003;

    // Transport: 3000-3999
    public const int ListenerStarted = 3000;
    public const int ListenerStopped = 3001;
    public const int AcceptFailed = 3002;
    public const int TlsHandshakeFailed = 3003;
}
