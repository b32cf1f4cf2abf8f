using System.Diagnostics.CodeAnalysis;
using Gateway.Core.Sessions;
using Gateway.Core.Transport;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Chains the registration of the gateway's hooks.</summary>
public interface IGatewayBuilder
{
    /// <summary>The service collection the gateway is registered in.</summary>
    IServiceCollection Services { get; }
}

/// <summary>Hook registration on <see cref="IGatewayBuilder"/>.</summary>
public static class GatewayBuilderExtensions
{
    /// <summary>Uses <typeparamref name="T"/> to find credentials and authorize sessions.</summary>
    public static IGatewayBuilder AddAuthorizer<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] T>(this IGatewayBuilder builder)
        where T : class, IPgSessionAuthorizer
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddSingleton<IPgSessionAuthorizer, T>();
        return builder;
    }

    /// <summary>Adds an observer of session lifecycle events.</summary>
    public static IGatewayBuilder AddObserver<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] T>(this IGatewayBuilder builder)
        where T : class, IPgSessionObserver
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddSingleton<IPgSessionObserver, T>();
        return builder;
    }

    /// <summary>Replaces the TCP upstream connector.</summary>
    public static IGatewayBuilder UseUpstreamConnector<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] T>(this IGatewayBuilder builder)
        where T : class, IPgUpstreamConnector
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddSingleton<IPgUpstreamConnector, T>();
        return builder;
    }
}
