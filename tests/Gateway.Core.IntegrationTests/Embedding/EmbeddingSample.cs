// <embedding-sample>
using System.Net;
using Gateway.Core.Authentication;
using Gateway.Core.Configuration;
using Gateway.Core.Sessions;
using Gateway.Core.Transport;

namespace Shop.Gateway;

public static class EmbeddingSample
{
    // Who may connect and where they go: one agent, stored as a SCRAM verifier, allowed on one target for an hour.
    private sealed class OneAgent(ScramVerifier verifier, UpstreamTarget target) : IPgSessionAuthorizer
    {
        public ValueTask<AgentCredential?> FindCredentialAsync(PgStartupContext startup, CancellationToken ct)
            => ValueTask.FromResult(startup.Parameters.User == "agent" ? new AgentCredential("agent", verifier) : null);

        public ValueTask<SessionAuthorization> AuthorizeAsync(PgAuthorizationContext context, CancellationToken ct)
            => ValueTask.FromResult(SessionAuthorization.Allow(target) with { Deadline = DateTimeOffset.UtcNow.AddHours(1) });
    }

    public static PgSocketListener Start(IPEndPoint listen, IPEndPoint database, string upstreamPassword)
    {
        var target = new UpstreamTarget
        {
            Name = "shop", EndPoint = database, Database = "shop", User = "shop_reader",
            Password = new UpstreamSecret(upstreamPassword),   // the agent never sees this
        };
        var gateway = new PgGateway(new PgGatewayOptions(), new OneAgent(ScramVerifier.Create("agent-secret"), target));
        return PgSocketListener.Start(listen, gateway, new PgListenerOptions());
    }
}
// </embedding-sample>
