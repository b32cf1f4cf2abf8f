using System.IO.Pipelines;
using Gateway.Core.Configuration;
using Gateway.Core.Sessions;
using Gateway.Core.Transport;
using Gateway.Testing;

namespace Gateway.Core.Tests.Sessions;

/// <summary>A gateway and sessions over in-memory pipes; no sockets, no upstream.</summary>
internal sealed class SessionFactory
{
    private long _lastId;

    public SessionFactory(TestAuthorizer? authorizer = null)
    {
        Authorizer = authorizer ?? new TestAuthorizer();
        Gateway = new PgGateway(new PgGatewayOptions(), Authorizer);
    }

    public TestAuthorizer Authorizer { get; }

    public PgGateway Gateway { get; }

    /// <summary>A session whose client writes into <paramref name="fromClient"/> and reads <paramref name="toClient"/>.</summary>
    public PgSession Create(out Pipe fromClient, out Pipe toClient)
    {
        fromClient = new Pipe();
        toClient = new Pipe();
        return new PgSession(Gateway, Interlocked.Increment(ref _lastId), new DuplexPipe(fromClient.Reader, toClient.Writer), new PgListenerOptions(), null);
    }

    public PgSession Create() => Create(out _, out _);
}
