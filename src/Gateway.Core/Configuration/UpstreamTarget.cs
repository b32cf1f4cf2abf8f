using System.Net;
using System.Security.Cryptography.X509Certificates;
using Gateway.Core.Authentication;

namespace Gateway.Core.Configuration;

/// <summary>
/// An upstream PostgreSQL server and the credentials the gateway logs in with. Clients never see these: the user
/// name, password and database come from here, not from the client's startup packet.
/// </summary>
public sealed record UpstreamTarget
{
    /// <summary>The target's name, as logs and the audit trail show it.</summary>
    public required string Name { get; init; }

    /// <summary>Where to connect.</summary>
    public required EndPoint EndPoint { get; init; }

    /// <summary>The host name checked against the server certificate in <see cref="UpstreamTlsMode.VerifyFull"/>.</summary>
    public string? HostName { get; init; }

    /// <summary>The database to open upstream.</summary>
    public required string Database { get; init; }

    /// <summary>The upstream role.</summary>
    public required string User { get; init; }

    /// <summary>The upstream role's password; used for SCRAM-SHA-256, MD5 or cleartext as the server asks.</summary>
    public required UpstreamSecret Password { get; init; }

    /// <summary>TLS towards the server.</summary>
    public UpstreamTlsMode Tls { get; init; }

    /// <summary>The CA certificates a <see cref="UpstreamTlsMode.VerifyFull"/> server certificate must chain to.</summary>
    public X509Certificate2Collection? CaCertificates { get; init; }

    /// <summary>
    /// Whether to answer a request for a cleartext password on a connection without verified TLS. Off by default: a
    /// server (or anyone in between) asking for cleartext would otherwise learn the password.
    /// </summary>
    public bool AllowCleartextPassword { get; init; }

    /// <summary>Which client startup parameters reach the server.</summary>
    public StartupParameterPolicy StartupParameters { get; init; } = StartupParameterPolicy.Default;

    /// <summary>Omits the credentials.</summary>
    public override string ToString() => $"{Name} ({EndPoint}, database {Database}, TLS {Tls})";
}
