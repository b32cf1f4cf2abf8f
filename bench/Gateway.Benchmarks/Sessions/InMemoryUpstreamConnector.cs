using System.IO.Pipelines;
using Gateway.Core.Configuration;
using Gateway.Core.Transport;

namespace Gateway.Benchmarks.Sessions;

/// <summary>Hands the gateway the fake server's end of an in-memory connection, once.</summary>
internal sealed class InMemoryUpstreamConnector(FakePostgresServer server) : IPgUpstreamConnector
{
    private int _connected;

    public ValueTask<IDuplexPipe> ConnectAsync(UpstreamTarget target, CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _connected, 1) != 0)
        {
            throw new InvalidOperationException("the benchmark's fake server accepts one connection (a cancel request would be a second)");
        }

        return ValueTask.FromResult(server.GatewaySide);
    }
}
