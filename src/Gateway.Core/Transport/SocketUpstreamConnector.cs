using System.IO.Pipelines;
using System.Net.Sockets;
using Gateway.Core.Configuration;

namespace Gateway.Core.Transport;

/// <summary>Connects upstream over TCP, with Nagle off, on a <see cref="SocketTransport"/>.</summary>
public sealed class SocketUpstreamConnector : IPgUpstreamConnector
{
    /// <inheritdoc/>
    public async ValueTask<IDuplexPipe> ConnectAsync(UpstreamTarget target, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        var socket = new Socket(target.EndPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            if (target.EndPoint.AddressFamily is AddressFamily.InterNetwork or AddressFamily.InterNetworkV6)
            {
                socket.NoDelay = true;
            }

            await socket.ConnectAsync(target.EndPoint, cancellationToken).ConfigureAwait(false);
            return new SocketTransport(socket);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
