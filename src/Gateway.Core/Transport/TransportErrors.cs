using System.Net.Sockets;

namespace Gateway.Core.Transport;

/// <summary>Tells a peer going away (reset, abort, closed pipe) from a bug.</summary>
internal static class TransportErrors
{
    public static bool IsConnectionError(Exception exception)
        => exception is IOException or SocketException or ObjectDisposedException;
}
