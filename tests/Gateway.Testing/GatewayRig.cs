using System.Net;
using Gateway.Core.Authentication;
using Gateway.Core.Configuration;
using Gateway.Core.Sessions;
using Gateway.Core.Transport;
using Npgsql;

namespace Gateway.Testing;

/// <summary>
/// An in-process gateway on a free loopback port, in front of <see cref="PostgresServer"/>, with one agent
/// (<see cref="Agent"/>/<see cref="AgentSecret"/>) allowed on one target (<see cref="Target"/>).
/// </summary>
public sealed class GatewayRig : IAsyncDisposable
{
    public const string Agent = "agent-1";
    public const string AgentSecret = "agent-secret-1";
    public const string Target = "shop";

    private readonly PgSocketListener _listener;

    private GatewayRig(PgGateway gateway, PgSocketListener listener, TestAuthorizer authorizer, RecordingObserver observer, UpstreamTarget target)
    {
        Gateway = gateway;
        _listener = listener;
        Authorizer = authorizer;
        Observer = observer;
        UpstreamTarget = target;
        Port = ((IPEndPoint)listener.LocalEndPoint).Port;
    }

    public PgGateway Gateway { get; }

    public TestAuthorizer Authorizer { get; }

    public RecordingObserver Observer { get; }

    public UpstreamTarget UpstreamTarget { get; }

    public int Port { get; }

    public int ConnectionCount => _listener.ConnectionCount;

    public static GatewayRig Start(PostgresServer postgres, PgGatewayOptions? options = null, PgListenerOptions? listener = null,
        TimeProvider? timeProvider = null, IPgUpstreamConnector? connector = null, Func<UpstreamTarget, UpstreamTarget>? configureTarget = null)
    {
        postgres.EnsureAvailable();
        var target = new UpstreamTarget
        {
            Name = Target,
            EndPoint = new IPEndPoint(IPAddress.Loopback, postgres.Port),
            HostName = "localhost",
            Database = PostgresServer.Database,
            User = PostgresServer.AppUser,
            Password = new UpstreamSecret(PostgresServer.AppPassword),
        };
        target = configureTarget?.Invoke(target) ?? target;
        var authorizer = new TestAuthorizer();
        authorizer.Targets[Target] = target;
        authorizer.AddAgent(Agent, AgentSecret, Target);
        var observer = new RecordingObserver();
        var gateway = new PgGateway(options ?? new PgGatewayOptions(), authorizer, connector, [observer], timeProvider);
        PgSocketListener socketListener = PgSocketListener.Start(new IPEndPoint(IPAddress.Loopback, 0), gateway, listener ?? new PgListenerOptions());
        return new GatewayRig(gateway, socketListener, authorizer, observer, target);
    }

    public string ConnectionString(string user = Agent, string password = AgentSecret, string database = Target, string extra = "")
        => $"Host=127.0.0.1;Port={Port};Username={user};Password={password};Database={database};Pooling=false;SSL Mode=Disable;{extra}";

    public async Task<NpgsqlConnection> OpenAsync(string extra = "")
    {
        var connection = new NpgsqlConnection(ConnectionString(extra: extra));
        await connection.OpenAsync();
        return connection;
    }

    public ValueTask DisposeAsync() => _listener.DisposeAsync();
}
