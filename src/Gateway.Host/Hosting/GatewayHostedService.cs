using Gateway.Core.Sessions;
using Gateway.Core.Transport;
using Gateway.Host.Configuration;
using Gateway.Host.Grants;
using Gateway.Host.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Gateway.Host.Hosting;

/// <summary>Starts the configured listeners, and on shutdown ends every session with a reason and waits for them.</summary>
internal sealed partial class GatewayHostedService(
    LoadedConfiguration configuration, PgGateway gateway, IControlStore store, GrantEnforcer enforcer, ILoggerFactory loggerFactory) : IHostedService
{
    private readonly List<PgSocketListener> _listeners = [];
    private readonly ILogger _logger = loggerFactory.CreateLogger<GatewayHostedService>();

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        // Grants first: a restart must know every active grant and its original expiry before the first login.
        await store.InitializeAsync(cancellationToken);
        await enforcer.LoadAsync(cancellationToken);
        foreach ((System.Net.IPEndPoint endPoint, Gateway.Core.Configuration.PgListenerOptions options) in configuration.Listeners)
        {
            _listeners.Add(PgSocketListener.Start(endPoint, gateway, options, loggerFactory));
        }

        LogStarted(_logger, configuration.Targets.Count, configuration.Policies.Count, configuration.Control.EndPoint.ToString());
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        gateway.TerminateAll(CloseReason.Shutdown, "terminating connection because the gateway is shutting down");
        Task stopping = Task.WhenAll(_listeners.Select(listener => listener.DisposeAsync().AsTask()));
        if (await Task.WhenAny(stopping, Task.Delay(configuration.ShutdownTimeout, CancellationToken.None)) != stopping)
        {
            LogShutdownTimedOut(_logger, gateway.Sessions.Count);
        }

        await enforcer.DisposeAsync();
        await store.DisposeAsync();
    }

    [LoggerMessage(EventId = 10_000, Level = LogLevel.Information, Message = "Gateway started with {TargetCount} targets and {PolicyCount} policies; control API on {ControlEndPoint}")]
    private static partial void LogStarted(ILogger logger, int targetCount, int policyCount, string controlEndPoint);

    [LoggerMessage(EventId = 10_001, Level = LogLevel.Warning, Message = "Shutdown timed out with {SessionCount} sessions still closing")]
    private static partial void LogShutdownTimedOut(ILogger logger, int sessionCount);
}
