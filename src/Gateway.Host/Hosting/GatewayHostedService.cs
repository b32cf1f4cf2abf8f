using Gateway.Core.Sessions;
using Gateway.Core.Transport;
using Gateway.Host.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Gateway.Host.Hosting;

/// <summary>Starts the configured listeners, and on shutdown ends every session with a reason and waits for them.</summary>
internal sealed partial class GatewayHostedService(LoadedConfiguration configuration, PgGateway gateway, ILoggerFactory loggerFactory) : IHostedService
{
    private readonly List<PgSocketListener> _listeners = [];
    private readonly ILogger _logger = loggerFactory.CreateLogger<GatewayHostedService>();

    public Task StartAsync(CancellationToken cancellationToken)
    {
        foreach ((System.Net.IPEndPoint endPoint, Gateway.Core.Configuration.PgListenerOptions options) in configuration.Listeners)
        {
            _listeners.Add(PgSocketListener.Start(endPoint, gateway, options, loggerFactory));
        }

        LogStarted(_logger, configuration.Targets.Count, configuration.Agents.Count);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        gateway.TerminateAll(CloseReason.Shutdown, "terminating connection because the gateway is shutting down");
        Task stopping = Task.WhenAll(_listeners.Select(listener => listener.DisposeAsync().AsTask()));
        if (await Task.WhenAny(stopping, Task.Delay(configuration.ShutdownTimeout, CancellationToken.None)) != stopping)
        {
            LogShutdownTimedOut(_logger, gateway.Sessions.Count);
        }
    }

    [LoggerMessage(EventId = 10_000, Level = LogLevel.Information, Message = "Gateway started with {TargetCount} targets and {AgentCount} static agents")]
    private static partial void LogStarted(ILogger logger, int targetCount, int agentCount);

    [LoggerMessage(EventId = 10_001, Level = LogLevel.Warning, Message = "Shutdown timed out with {SessionCount} sessions still closing")]
    private static partial void LogShutdownTimedOut(ILogger logger, int sessionCount);
}
