namespace Gateway.Core.Configuration;

/// <summary>How the gateway protects its connection to the upstream server, named after libpq's sslmode values.</summary>
public enum UpstreamTlsMode
{
    /// <summary>Plain TCP.</summary>
    Disable = 0,
    /// <summary>TLS without checking the server's certificate (protects against passive eavesdropping only).</summary>
    Require = 1,
    /// <summary>TLS; the certificate must chain to the configured CA bundle and match the host name.</summary>
    VerifyFull = 2,
}
