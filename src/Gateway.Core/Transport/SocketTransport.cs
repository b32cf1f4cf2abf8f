using System.Net.Sockets;
using Pipelines.Sockets.Unofficial;

namespace Gateway.Core.Transport;

/// <summary>Wraps a connected socket in a <see cref="SocketConnection"/> with the gateway's pipe options.</summary>
internal static class SocketTransport
{
    public static SocketConnection Create(Socket socket)
        => SocketConnection.Create(
            socket,
            sendPipeOptions: TransportPipeOptions.Send,
            receivePipeOptions: TransportPipeOptions.Receive,
            socketConnectionOptions: SocketConnectionOptions.ZeroLengthReads);
}
