using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Gateway.Core.Configuration;
using Gateway.Core.Diagnostics;
using Gateway.Core.Sessions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gateway.Core.Transport;

/// <summary>
/// Accepts TCP clients and runs each through a <see cref="PgGateway"/> on a <see cref="SocketTransport"/>
/// connection. This is the replaceable transport edge: a host can feed the gateway from Kestrel or anything else
/// that offers an <see cref="System.IO.Pipelines.IDuplexPipe"/>.
/// </summary>
public sealed class PgSocketListener : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly PgGateway _gateway;
    private readonly PgListenerOptions _options;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<SocketTransport, Task> _connections = new();
    private readonly CancellationTokenSource _stopping = new();
    private Task? _acceptLoop;

    private PgSocketListener(Socket socket, PgGateway gateway, PgListenerOptions options, ILogger logger)
    {
        _socket = socket;
        _gateway = gateway;
        _options = options;
        _logger = logger;
        LocalEndPoint = socket.LocalEndPoint!;
    }

    /// <summary>The bound address (with the actual port when port 0 was asked for).</summary>
    public EndPoint LocalEndPoint { get; }

    /// <summary>Connections currently open on this listener.</summary>
    public int ConnectionCount => _connections.Count;

    /// <summary>Binds <paramref name="endPoint"/> and starts accepting clients.</summary>
    public static PgSocketListener Start(EndPoint endPoint, PgGateway gateway, PgListenerOptions options, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(endPoint);
        ArgumentNullException.ThrowIfNull(gateway);
        ArgumentNullException.ThrowIfNull(options);
        var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            socket.Bind(endPoint);
            socket.Listen(512);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        ILogger logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger("Gateway.Core.Transport");
        var listener = new PgSocketListener(socket, gateway, options, logger);
        Log.ListenerStarted(logger, listener.LocalEndPoint, options.Tls is null ? "off" : options.RequireTls ? "required" : "optional");
        listener._acceptLoop = listener.AcceptLoopAsync();
        return listener;
    }

    /// <summary>
    /// Stops accepting, ends open sessions with <see cref="CloseReason.Shutdown"/> and waits for them to close.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (_stopping.IsCancellationRequested)
        {
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        _socket.Dispose();
        if (_acceptLoop is not null)
        {
            await _acceptLoop.ConfigureAwait(false);
        }

        await Task.WhenAll(_connections.Values).ConfigureAwait(false);
        _stopping.Dispose();
        Log.ListenerStopped(_logger, LocalEndPoint);
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _socket.AcceptAsync(_stopping.Token).ConfigureAwait(false);
            }
            catch (Exception exception) when (exception is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException exception)
            {
                // EMFILE and friends: keep serving the connections we have, try again shortly.
                Log.AcceptFailed(_logger, LocalEndPoint, exception.SocketErrorCode.ToString());
                await Task.Delay(100, CancellationToken.None).ConfigureAwait(false);
                continue;
            }

            if (client.AddressFamily is AddressFamily.InterNetwork or AddressFamily.InterNetworkV6)
            {
                client.NoDelay = true;
            }

            var connection = new SocketTransport(client);
            _connections[connection] = RunConnectionAsync(connection, client.RemoteEndPoint);
        }
    }

    private async Task RunConnectionAsync(SocketTransport connection, EndPoint? remoteEndPoint)
    {
        await Task.Yield();
        try
        {
            await _gateway.RunSessionAsync(connection, _options, remoteEndPoint, _stopping.Token).ConfigureAwait(false);
        }
        finally
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            _connections.TryRemove(connection, out _);
        }
    }
}
