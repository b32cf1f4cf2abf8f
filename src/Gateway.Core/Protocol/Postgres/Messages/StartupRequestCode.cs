namespace Gateway.Core.Protocol.Postgres.Messages;

/// <summary>The int32 that follows the length of a startup-phase packet.</summary>
internal static class StartupRequestCode
{
    /// <summary>Protocol 3.0 in a StartupMessage (major 3, minor 0).</summary>
    public const int Protocol30 = 3 << 16;

    /// <summary>SSLRequest: 1234 in the high half, 5679 in the low half.</summary>
    public const int SslRequest = (1234 << 16) | 5679;

    /// <summary>GSSENCRequest: 1234 / 5680.</summary>
    public const int GssEncRequest = (1234 << 16) | 5680;

    /// <summary>CancelRequest: 1234 / 5678.</summary>
    public const int CancelRequest = (1234 << 16) | 5678;
}
