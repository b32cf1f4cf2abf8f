using System.Text.Json.Nodes;
using Gateway.Core.Sessions;
using Gateway.Core.Transport;
using Gateway.Host.Audit;
using Gateway.Host.Configuration;
using Gateway.Host.Grants;
using Gateway.Host.Recording;
using Gateway.Host.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Gateway.Host.Hosting;

/// <summary>
/// Starts the audit trail, the grants and then the configured listeners; on shutdown ends every session with a
/// reason, waits for them and their closing records, and closes the audit log with a final checkpoint.
/// </summary>
internal sealed partial class GatewayHostedService(
    LoadedConfiguration configuration,
    PgGateway gateway,
    IControlStore store,
    GrantEnforcer enforcer,
    AuditTrail audit,
    ILoggerFactory loggerFactory,
    RecordingStore? recordings = null) : IHostedService
{
    private const string AuditDownMessage = "terminating connection because the gateway's audit log is not writable";

    private readonly List<PgSocketListener> _listeners = [];
    private readonly ILogger _logger = loggerFactory.CreateLogger<GatewayHostedService>();

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        // The store first (the index lives there), then the audit log, then grants: a restart must know every active
        // grant and its original expiry before the first login, and no login may happen before it can be recorded.
        await store.InitializeAsync(cancellationToken);
        await audit.StartAsync(ConfigurationRecord(), cancellationToken);
        audit.BecameUnavailable += () => gateway.TerminateAll(CloseReason.TerminatedByHost, AuditDownMessage);
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
        await audit.DisposeAsync();
        if (recordings is not null)
        {
            await recordings.DisposeAsync();
        }

        await store.DisposeAsync();
    }

    /// <summary>What this run enforces, so the chain shows every change of identities, policies and targets.</summary>
    private AuditEvent ConfigurationRecord() => new(AuditEventTypes.ConfigurationLoaded)
    {
        Data = new JsonObject
        {
            ["identities"] = new JsonArray([.. configuration.Identities.Select(identity => new JsonObject
            {
                ["name"] = identity.Name,
                ["kind"] = identity.Kind.ToString().ToLowerInvariant(),
                ["groups"] = Strings(identity.Groups),
            })]),
            ["policies"] = new JsonArray([.. configuration.Policies.Select(policy => new JsonObject
            {
                ["name"] = policy.Name,
                ["agents"] = Strings(policy.Agents),
                ["targets"] = Strings(policy.Targets),
                ["scopes"] = Strings(policy.Scopes),
                ["maxDuration"] = DurationText.Format(policy.MaxDuration),
                ["approval"] = policy.ReviewerGroup is { } group ? $"{policy.RequiredApprovals} of {group}" : "auto",
            })]),
            ["targets"] = new JsonArray([.. configuration.Targets.Select(target => new JsonObject
            {
                ["name"] = target.Key,
                ["scopes"] = new JsonArray([.. target.Value.Values.Select(scope => new JsonObject
                {
                    ["name"] = scope.Name,
                    ["access"] = scope.Access,
                    ["tables"] = Strings(scope.Tables),
                })]),
                ["masked"] = configuration.Masking.ContainsKey(target.Key),
            })]),
            ["recording"] = configuration.Audit.Recording,
        },
    };

    private static JsonArray Strings(IEnumerable<string> values) => new([.. values.Order(StringComparer.Ordinal).Select(value => JsonValue.Create(value))]);

    [LoggerMessage(EventId = 10_000, Level = LogLevel.Information, Message = "Gateway started with {TargetCount} targets and {PolicyCount} policies; control API on {ControlEndPoint}")]
    private static partial void LogStarted(ILogger logger, int targetCount, int policyCount, string controlEndPoint);

    [LoggerMessage(EventId = 10_001, Level = LogLevel.Warning, Message = "Shutdown timed out with {SessionCount} sessions still closing")]
    private static partial void LogShutdownTimedOut(ILogger logger, int sessionCount);
}
