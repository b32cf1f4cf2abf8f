using System.IO.Pipelines;
using System.Text;
using Gateway.Benchmarks.Data;

namespace Gateway.Benchmarks.Sessions;

/// <summary>
/// The smallest PostgreSQL server the gateway will log in to: it reads the StartupMessage and answers with
/// AuthenticationOk, two ParameterStatus messages, BackendKeyData and ReadyForQuery ('I'). After that the benchmark
/// itself plays the server, pushing bytes into <see cref="ToGateway"/> and draining <see cref="FromGateway"/>.
/// </summary>
public sealed class FakePostgresServer
{
    public const string ServerVersion = "17.2";

    private static readonly byte[] Greeting = new PgWire()
        .AuthenticationOk()
        .ParameterStatus("server_version", ServerVersion)
        .ParameterStatus("client_encoding", "UTF8")
        .BackendKeyData(4242, 0x1234_5678)
        .ReadyForQuery('I')
        .ToArray();

    private readonly Pipe _fromGateway = new(InMemoryPipes.OutOfGateway);
    private readonly Pipe _toGateway = new(InMemoryPipes.IntoGateway);

    public FakePostgresServer() => GatewaySide = new PipePair(_toGateway.Reader, _fromGateway.Writer);

    /// <summary>The gateway's end of the connection: what an <c>IPgUpstreamConnector</c> returns.</summary>
    public IDuplexPipe GatewaySide { get; }

    /// <summary>The server's end: where server messages go in.</summary>
    public PipeWriter ToGateway => _toGateway.Writer;

    /// <summary>The server's end: where client messages the gateway forwards come out.</summary>
    public PipeReader FromGateway => _fromGateway.Reader;

    /// <summary>The user the gateway logged in as, once <see cref="AcceptLoginAsync"/> has run.</summary>
    public string? StartupUser { get; private set; }

    public async Task AcceptLoginAsync(CancellationToken cancellationToken)
    {
        byte[] packet = await WireIo.ReadStartupPacketAsync(FromGateway, cancellationToken);
        if (packet.Length < 4 || packet[0] != 0 || packet[1] != 3 || packet[2] != 0 || packet[3] != 0)
        {
            throw new InvalidOperationException("the gateway's startup packet is not protocol 3.0");
        }

        string[] parameters = Encoding.UTF8.GetString(packet, 4, packet.Length - 4).Split('\0');
        int user = Array.IndexOf(parameters, "user");
        StartupUser = user >= 0 && user + 1 < parameters.Length ? parameters[user + 1] : null;
        await WireIo.WriteAsync(ToGateway, Greeting, cancellationToken);
    }

    /// <summary>Closes the server's end of both pipes.</summary>
    public async ValueTask CompleteAsync()
    {
        await ToGateway.CompleteAsync();
        await FromGateway.CompleteAsync();
    }
}
