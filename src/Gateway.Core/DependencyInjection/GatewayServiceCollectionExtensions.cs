using Gateway.Core.Configuration;
using Gateway.Core.Sessions;
using Gateway.Core.Transport;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the PostgreSQL relay.</summary>
public static class GatewayServiceCollectionExtensions
{
    /// <summary>
    /// Adds <see cref="PgGateway"/> with its defaults: TCP upstream connector and <see cref="TimeProvider.System"/>.
    /// The host adds its authorizer (required) and observers through the returned builder.
    /// </summary>
    public static IGatewayBuilder AddGatewayCore(this IServiceCollection services, PgGatewayOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddSingleton(options ?? new PgGatewayOptions());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IPgUpstreamConnector, SocketUpstreamConnector>();
        services.TryAddSingleton(provider => new PgGateway(
            provider.GetRequiredService<PgGatewayOptions>(),
            provider.GetRequiredService<IPgSessionAuthorizer>(),
            provider.GetRequiredService<IPgUpstreamConnector>(),
            provider.GetServices<IPgSessionObserver>(),
            provider.GetRequiredService<TimeProvider>(),
            provider.GetService<ILoggerFactory>()));
        return new GatewayBuilder(services);
    }

    private sealed class GatewayBuilder(IServiceCollection services) : IGatewayBuilder
    {
        public IServiceCollection Services { get; } = services;
    }
}
