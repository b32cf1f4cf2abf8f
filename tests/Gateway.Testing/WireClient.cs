using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Gateway.Core.Authentication;

namespace Gateway.Testing;

/// <summary>
/// A raw PostgreSQL client for tests that need to send what no driver would, and to see every byte that comes back.
/// </summary>
public sealed class WireClient : IAsyncDisposable
{
    private readonly TcpClient _tcp;
    private readonly NetworkStream _stream;
    private readonly List<byte> _received = [];

    private WireClient(TcpClient tcp)
    {
        _tcp = tcp;
        _stream = tcp.GetStream();
    }

    /// <summary>Every byte received so far, for assertions about what must never reach a client.</summary>
    public byte[] Received
    {
        get
        {
            lock (_received)
            {
                return [.. _received];
            }
        }
    }

    /// <summary>The NegotiateProtocolVersion payload, when the server sent one during login.</summary>
    public byte[]? NegotiatedProtocol { get; private set; }

    public static async Task<WireClient> ConnectAsync(int port)
    {
        var tcp = new TcpClient { NoDelay = true };
        await tcp.ConnectAsync(IPAddress.Loopback, port);
        return new WireClient(tcp);
    }

    public async Task SendAsync(byte[] bytes)
    {
        await _stream.WriteAsync(bytes);
        await _stream.FlushAsync();
    }

    public Task SendAsync(Pg bytes) => SendAsync(bytes.ToArray());

    /// <summary>Reads one byte (the answer to SSLRequest or GSSENCRequest); null at end of stream.</summary>
    public async Task<byte?> ReadByteAsync(TimeSpan? timeout = null)
    {
        byte[] one = new byte[1];
        return await ReadExactlyAsync(one, timeout) ? one[0] : null;
    }

    /// <summary>Reads one typed message; null when the server closed the connection first.</summary>
    public async Task<(char Code, byte[] Payload)?> ReadMessageAsync(TimeSpan? timeout = null)
    {
        byte[] header = new byte[5];
        if (!await ReadExactlyAsync(header, timeout))
        {
            return null;
        }

        int length = BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(1));
        byte[] payload = new byte[length - 4];
        if (!await ReadExactlyAsync(payload, timeout))
        {
            return null;
        }

        return ((char)header[0], payload);
    }

    /// <summary>Reads messages until ReadyForQuery (included) or an ErrorResponse; returns them all.</summary>
    public async Task<List<(char Code, byte[] Payload)>> ReadUntilReadyAsync(TimeSpan? timeout = null)
    {
        var messages = new List<(char, byte[])>();
        while (await ReadMessageAsync(timeout) is { } message)
        {
            messages.Add(message);
            if (message.Code is 'Z')
            {
                break;
            }
        }

        return messages;
    }

    /// <summary>True when the server has closed the connection (all further reads return nothing).</summary>
    public async Task<bool> IsClosedAsync(TimeSpan? timeout = null)
    {
        byte[] buffer = new byte[4096];
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(10));
        try
        {
            while (true)
            {
                int read = await _stream.ReadAsync(buffer, cts.Token);
                if (read == 0)
                {
                    return true;
                }

                Record(buffer.AsSpan(0, read));
            }
        }
        catch (IOException)
        {
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>Startup and SCRAM-SHA-256 login; returns the messages after SASLFinal up to ReadyForQuery, or the error.</summary>
    public async Task<List<(char Code, byte[] Payload)>> LoginAsync(string user, string password, string database, params (string, string)[] extra)
    {
        await SendAsync(Pg.Build().Startup([("user", user), ("database", database), .. extra]));
        var first = await ReadMessageAsync() ?? throw new InvalidOperationException("closed before authentication");
        if (first.Code == 'v')
        {
            NegotiatedProtocol = first.Payload;
            first = await ReadMessageAsync() ?? throw new InvalidOperationException("closed before authentication");
        }

        if (first.Code == 'E')
        {
            return [first];
        }

        var scram = new ScramClientExchange(new UpstreamSecret(password), 100_000);
        await SendAsync(Pg.Build().SaslInitialResponse("SCRAM-SHA-256", scram.CreateClientFirst()));
        var serverFirst = await ReadMessageAsync() ?? throw new InvalidOperationException("closed during SCRAM");
        if (serverFirst.Code == 'E')
        {
            return [serverFirst];
        }

        if (!scram.TryHandleServerFirst(serverFirst.Payload.AsSpan(4), out byte[] clientFinal, out string failure))
        {
            throw new InvalidOperationException(failure);
        }

        await SendAsync(Pg.Build().SaslResponse(clientFinal));
        var final = await ReadMessageAsync() ?? throw new InvalidOperationException("closed during SCRAM");
        if (final.Code == 'E')
        {
            return [final];
        }

        if (!scram.TryHandleServerFinal(final.Payload.AsSpan(4), out failure))
        {
            throw new InvalidOperationException("server signature: " + failure);
        }

        return await ReadUntilReadyAsync();
    }

    /// <summary>The fields of an ErrorResponse or NoticeResponse payload by field code.</summary>
    public static Dictionary<char, string> Fields(byte[] payload)
    {
        var fields = new Dictionary<char, string>();
        int i = 0;
        while (i < payload.Length && payload[i] != 0)
        {
            char code = (char)payload[i++];
            int end = Array.IndexOf(payload, (byte)0, i);
            fields[code] = Encoding.UTF8.GetString(payload, i, end - i);
            i = end + 1;
        }

        return fields;
    }

    public async ValueTask DisposeAsync()
    {
        await _stream.DisposeAsync();
        _tcp.Dispose();
    }

    private async Task<bool> ReadExactlyAsync(byte[] buffer, TimeSpan? timeout)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(10));
        int offset = 0;
        try
        {
            while (offset < buffer.Length)
            {
                int read = await _stream.ReadAsync(buffer.AsMemory(offset), cts.Token);
                if (read == 0)
                {
                    return false;
                }

                Record(buffer.AsSpan(offset, read));
                offset += read;
            }
        }
        catch (IOException)
        {
            return false;
        }

        return true;
    }

    private void Record(ReadOnlySpan<byte> bytes)
    {
        lock (_received)
        {
            foreach (byte b in bytes)
            {
                _received.Add(b);
            }
        }
    }
}
