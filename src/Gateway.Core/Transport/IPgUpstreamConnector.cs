using System.IO.Pipelines;
using Gateway.Core.Configuration;

namespace Gateway.Core.Transport;

/// <summary>
/// Opens the byte stream to an upstream server. The gateway negotiates TLS and logs in over it itself. When the
/// session ends it completes both pipes and disposes the returned object if it is <see cref="IAsyncDisposable"/> or
/// <see cref="IDisposable"/>.
/// </summary>
public interface IPgUpstreamConnector
{
    /// <summary>Connects to <paramref name="target"/>'s endpoint.</summary>
    ValueTask<IDuplexPipe> ConnectAsync(UpstreamTarget target, CancellationToken cancellationToken);
}
