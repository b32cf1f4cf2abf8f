using System.Net.Security;

namespace Gateway.Core.Configuration;

/// <summary>How the gateway treats clients arriving on one listener.</summary>
public sealed record PgListenerOptions
{
    /// <summary>
    /// The TLS server settings (certificate, protocols) used when a client sends SSLRequest; null answers 'N'.
    /// </summary>
    public SslServerAuthenticationOptions? Tls { get; init; }

    /// <summary>Refuse clients that do not negotiate TLS.</summary>
    public bool RequireTls { get; init; }
}
