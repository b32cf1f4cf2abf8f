using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using Gateway.Benchmarks.Data;
using Gateway.Core.Authentication;
using Gateway.Core.Configuration;
using Gateway.Core.Sessions;
using Gateway.Core.Transport;

namespace Gateway.Benchmarks.Sessions;

/// <summary>
/// One real <see cref="PgSession"/>, run by <see cref="PgGateway.RunSessionAsync"/> over in-memory pipes: the
/// benchmark is the client on one side and the (already logged-in) fake server on the other. The client logs in with
/// SCRAM-SHA-256 exactly as a driver would; after that every byte the benchmark pushes goes through the relay pumps.
/// </summary>
public sealed class RelayRig
{
    private static readonly TimeSpan SetupTimeout = TimeSpan.FromSeconds(30);

    private readonly Pipe _clientToGateway = new(InMemoryPipes.IntoGateway);
    private readonly Pipe _gatewayToClient = new(InMemoryPipes.OutOfGateway);
    private readonly FakePostgresServer _server = new();
    private Task<CloseReason>? _session;

    private RelayRig()
    {
    }

    public PgGateway Gateway { get; private set; } = null!;

    /// <summary>Where the benchmark, as the client, writes.</summary>
    public PipeWriter ClientOutput => _clientToGateway.Writer;

    /// <summary>Where the benchmark, as the client, reads what the relay sent it.</summary>
    public PipeReader ClientInput => _gatewayToClient.Reader;

    /// <summary>Where the benchmark, as the server, writes.</summary>
    public PipeWriter ServerOutput => _server.ToGateway;

    /// <summary>Where the benchmark, as the server, reads what the relay sent it.</summary>
    public PipeReader ServerInput => _server.FromGateway;

    /// <summary>Starts a session, logs the client in, and checks that both pumps relay byte for byte.</summary>
    public static RelayRig Start()
    {
        var rig = new RelayRig();
        rig.StartAsync().WaitAsync(SetupTimeout).GetAwaiter().GetResult();
        return rig;
    }

    /// <summary>Sends Terminate as the client and waits for the session to end.</summary>
    public CloseReason Stop()
    {
        if (_session is null)
        {
            return CloseReason.None;
        }

        byte[] terminate = new PgWire().Terminate().ToArray();
        ClientOutput.Write(terminate);
        ClientOutput.FlushAsync().AsTask().WaitAsync(SetupTimeout).GetAwaiter().GetResult();
        CloseReason reason = _session.WaitAsync(SetupTimeout).GetAwaiter().GetResult();
        _session = null;

        // The relay forwards Terminate, then closes the upstream connection.
        if (!ServerInput.TryRead(out ReadResult tail) || !tail.IsCompleted || !tail.Buffer.ToArray().AsSpan().SequenceEqual(terminate))
        {
            throw new InvalidOperationException("the relay did not forward Terminate and then close the upstream connection");
        }

        ServerInput.AdvanceTo(tail.Buffer.End);
        ClientOutput.Complete();
        ClientInput.Complete();
        _server.CompleteAsync().AsTask().GetAwaiter().GetResult();
        return reason;
    }

    private async Task StartAsync()
    {
        var authorizer = new BenchmarkAuthorizer();
        Gateway = new PgGateway(new PgGatewayOptions(), authorizer, new InMemoryUpstreamConnector(_server));
        using var timeout = new CancellationTokenSource(SetupTimeout);

        Task serverLogin = _server.AcceptLoginAsync(timeout.Token);
        _session = Gateway.RunSessionAsync(new PipePair(_clientToGateway.Reader, _gatewayToClient.Writer), new PgListenerOptions(), remoteEndPoint: null);
        await LogInAsClientAsync(timeout.Token);
        await serverLogin;
        if (_server.StartupUser != BenchmarkAuthorizer.UpstreamUser)
        {
            throw new InvalidOperationException($"the gateway logged in upstream as '{_server.StartupUser}'");
        }

        // One round trip each way proves both pumps are running (the client hears ReadyForQuery before the gateway
        // starts its pumps), and checks that the relay forwards the fixtures unchanged.
        await VerifyAsync(ServerOutput, WireData.WideResult, ClientInput, timeout.Token);
        await VerifyAsync(ClientOutput, WireData.Queries, ServerInput, timeout.Token);
    }

    private async Task LogInAsClientAsync(CancellationToken cancellationToken)
    {
        await WireIo.WriteAsync(ClientOutput, new PgWire().Startup(("user", BenchmarkAuthorizer.Agent), ("database", BenchmarkAuthorizer.TargetName)).ToArray(), cancellationToken);
        var scram = new ScramClientExchange(new UpstreamSecret(BenchmarkAuthorizer.AgentSecret), maxIterations: 100_000);

        ReadOnlyMemory<byte> data = await ExpectAuthenticationAsync(10, cancellationToken); // AuthenticationSASL
        if (data.Span.IndexOf("SCRAM-SHA-256"u8) < 0)
        {
            throw new InvalidOperationException("the gateway did not offer SCRAM-SHA-256");
        }

        await WireIo.WriteAsync(ClientOutput, new PgWire().SaslInitialResponse("SCRAM-SHA-256", scram.CreateClientFirst()).ToArray(), cancellationToken);
        data = await ExpectAuthenticationAsync(11, cancellationToken); // AuthenticationSASLContinue
        if (!scram.TryHandleServerFirst(data.Span, out byte[] clientFinal, out string failure))
        {
            throw new InvalidOperationException("server-first-message refused: " + failure);
        }

        await WireIo.WriteAsync(ClientOutput, new PgWire().SaslResponse(clientFinal).ToArray(), cancellationToken);
        data = await ExpectAuthenticationAsync(12, cancellationToken); // AuthenticationSASLFinal
        if (!scram.TryHandleServerFinal(data.Span, out failure))
        {
            throw new InvalidOperationException("server-final-message refused: " + failure);
        }

        await ExpectAuthenticationAsync(0, cancellationToken); // AuthenticationOk
        while (true)
        {
            (byte code, byte[] payload) = await WireIo.ReadMessageAsync(ClientInput, cancellationToken);
            switch ((char)code)
            {
                case 'S' or 'K':
                    continue;
                case 'Z':
                    return;
                case 'E':
                    throw new InvalidOperationException("the gateway refused the login: " + WireIo.ErrorText(payload));
                default:
                    throw new InvalidOperationException($"unexpected message '{(char)code}' after AuthenticationOk");
            }
        }
    }

    private async Task<ReadOnlyMemory<byte>> ExpectAuthenticationAsync(int kind, CancellationToken cancellationToken)
    {
        (byte code, byte[] payload) = await WireIo.ReadMessageAsync(ClientInput, cancellationToken);
        if (code == (byte)'E')
        {
            throw new InvalidOperationException("the gateway refused the login: " + WireIo.ErrorText(payload));
        }

        if (code != (byte)'R' || payload.Length < 4 || BinaryPrimitives.ReadInt32BigEndian(payload) != kind)
        {
            throw new InvalidOperationException($"expected Authentication {kind}, got message '{(char)code}'");
        }

        return payload.AsMemory(4);
    }

    private static async Task VerifyAsync(PipeWriter source, byte[] bytes, PipeReader sink, CancellationToken cancellationToken)
    {
        var received = new ArrayBufferWriter<byte>(bytes.Length);
        await WireIo.WriteAsync(source, bytes, cancellationToken);
        while (received.WrittenCount < bytes.Length)
        {
            ReadResult result = await sink.ReadAsync(cancellationToken);
            foreach (ReadOnlyMemory<byte> segment in result.Buffer)
            {
                received.Write(segment.Span);
            }

            sink.AdvanceTo(result.Buffer.End);
            if (result.IsCompleted)
            {
                break;
            }
        }

        if (!received.WrittenSpan.SequenceEqual(bytes))
        {
            throw new InvalidOperationException($"the relay did not forward the fixture unchanged ({received.WrittenCount} bytes out, {bytes.Length} in)");
        }
    }
}
