using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using Gateway.Core.Configuration;
using Gateway.Core.Transport;

namespace Gateway.Testing;

/// <summary>
/// A fake upstream PostgreSQL server in memory: each connection the gateway opens runs <see cref="Script"/> on the
/// server end of a pipe pair. For tests of how the gateway treats a misbehaving server.
/// </summary>
public sealed class ScriptedUpstream : IPgUpstreamConnector
{
    private int _connections;

    public ScriptedUpstream(Func<Peer, Task> script)
    {
        Script = script;
    }

    public Func<Peer, Task> Script { get; }

    public int Connections => Volatile.Read(ref _connections);

    public List<Task> Running { get; } = [];

    public ValueTask<IDuplexPipe> ConnectAsync(UpstreamTarget target, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _connections);
        var toServer = new Pipe();
        var toGateway = new Pipe();
        var peer = new Peer(toServer.Reader, toGateway.Writer);
        lock (Running)
        {
            Running.Add(Task.Run(async () =>
            {
                try
                {
                    await Script(peer);
                }
                finally
                {
                    await toGateway.Writer.CompleteAsync();
                }
            }, CancellationToken.None));
        }

        return ValueTask.FromResult<IDuplexPipe>(new Duplex(toGateway.Reader, toServer.Writer));
    }

    /// <summary>The server end of one connection.</summary>
    public sealed class Peer(PipeReader input, PipeWriter output)
    {
        public PipeReader Input { get; } = input;

        public PipeWriter Output { get; } = output;

        /// <summary>Reads the gateway's startup packet and returns its parameters.</summary>
        public async Task<Dictionary<string, string>> ReadStartupAsync()
        {
            byte[] packet = await ReadExactAsync(4);
            int length = BinaryPrimitives.ReadInt32BigEndian(packet);
            byte[] body = await ReadExactAsync(length - 4);
            var parameters = new Dictionary<string, string>();
            int i = 4;
            while (body[i] != 0)
            {
                int end = Array.IndexOf(body, (byte)0, i);
                string name = System.Text.Encoding.UTF8.GetString(body, i, end - i);
                int valueEnd = Array.IndexOf(body, (byte)0, end + 1);
                parameters[name] = System.Text.Encoding.UTF8.GetString(body, end + 1, valueEnd - end - 1);
                i = valueEnd + 1;
            }

            return parameters;
        }

        /// <summary>Reads one typed message from the gateway; null at end of stream.</summary>
        public async Task<(char Code, byte[] Payload)?> ReadMessageAsync()
        {
            try
            {
                byte[] header = await ReadExactAsync(5);
                byte[] payload = await ReadExactAsync(BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(1)) - 4);
                return ((char)header[0], payload);
            }
            catch (EndOfStreamException)
            {
                return null;
            }
        }

        public async Task SendAsync(Pg bytes)
        {
            await Output.WriteAsync(bytes.ToArray());
        }

        /// <summary>Trust login: AuthenticationOk, a parameter, a key, ReadyForQuery.</summary>
        public Task AcceptLoginAsync(int processId = 4242, int secretKey = 0x5EC2E7)
            => SendAsync(Pg.Build().AuthenticationOk().ParameterStatus("server_version", "15.0")
                .BackendKeyData(processId, secretKey).ReadyForQuery());

        public async Task<byte[]> ReadExactAsync(int count)
        {
            while (true)
            {
                ReadResult result = await Input.ReadAsync();
                if (result.Buffer.Length >= count)
                {
                    byte[] bytes = result.Buffer.Slice(0, count).ToArray();
                    Input.AdvanceTo(result.Buffer.GetPosition(count));
                    return bytes;
                }

                Input.AdvanceTo(result.Buffer.Start, result.Buffer.End);
                if (result.IsCompleted)
                {
                    throw new EndOfStreamException();
                }
            }
        }
    }

    private sealed class Duplex(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;

        public PipeWriter Output { get; } = output;
    }
}
