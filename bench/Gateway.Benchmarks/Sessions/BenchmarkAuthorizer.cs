using System.Net;
using Gateway.Core.Authentication;
using Gateway.Core.Configuration;
using Gateway.Core.Sessions;

namespace Gateway.Benchmarks.Sessions;

/// <summary>One agent, one target, no hooks: the relay's plain forwarding path.</summary>
internal sealed class BenchmarkAuthorizer : IPgSessionAuthorizer
{
    public const string Agent = "bench-agent";
    public const string AgentSecret = "bench-agent-secret";
    public const string TargetName = "bench";
    public const string UpstreamUser = "bench_app";

    private readonly AgentCredential _credential = new(Agent, ScramVerifier.Create(AgentSecret));

    public UpstreamTarget Target { get; } = new()
    {
        Name = TargetName,
        EndPoint = new IPEndPoint(IPAddress.Loopback, 5432), // the in-memory connector ignores it
        Database = TargetName,
        User = UpstreamUser,
        Password = new UpstreamSecret("unused: the fake server asks for no password"),
        Tls = UpstreamTlsMode.Disable,
    };

    public ValueTask<AgentCredential?> FindCredentialAsync(PgStartupContext startup, CancellationToken cancellationToken)
        => ValueTask.FromResult(startup.Parameters.User == Agent ? _credential : null);

    public ValueTask<SessionAuthorization> AuthorizeAsync(PgAuthorizationContext context, CancellationToken cancellationToken)
        => ValueTask.FromResult(SessionAuthorization.Allow(Target));
}
