using System.Collections.Frozen;
using System.Net;
using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Gateway.Core.Authentication;
using Gateway.Core.Configuration;

namespace Gateway.Host.Configuration;

/// <summary>Reads, validates and resolves the JSON configuration file.</summary>
internal static class GatewayConfigurationLoader
{
    public static LoadedConfiguration Load(string path)
    {
        string fullPath = Path.GetFullPath(path);
        GatewayConfiguration? raw;
        try
        {
            using FileStream stream = File.OpenRead(fullPath);
            raw = JsonSerializer.Deserialize(stream, GatewayJsonContext.Default.GatewayConfiguration);
        }
        catch (JsonException exception)
        {
            throw new ConfigurationException($"{path}: invalid JSON at {exception.Path ?? "the top"}: {exception.Message}");
        }
        catch (IOException exception)
        {
            throw new ConfigurationException($"{path}: cannot read: {exception.Message}");
        }

        if (raw is null)
        {
            throw new ConfigurationException($"{path}: empty configuration");
        }

        return Resolve(raw, Path.GetDirectoryName(fullPath)!);
    }

    public static LoadedConfiguration Resolve(GatewayConfiguration raw, string baseDirectory)
    {
        if (raw.Listeners.Count == 0)
        {
            throw new ConfigurationException("listeners: at least one listener is required");
        }

        var listeners = raw.Listeners.Select((listener, i) => ResolveListener(listener, $"listeners[{i}]", baseDirectory)).ToList();
        var targets = new Dictionary<string, UpstreamTarget>(StringComparer.Ordinal);
        for (int i = 0; i < raw.Targets.Count; i++)
        {
            UpstreamTarget target = ResolveTarget(raw.Targets[i], $"targets[{i}]", baseDirectory);
            if (!targets.TryAdd(target.Name, target))
            {
                throw new ConfigurationException($"targets[{i}].name: \"{target.Name}\" is defined twice");
            }
        }

        var agents = new Dictionary<string, StaticAgent>(StringComparer.Ordinal);
        for (int i = 0; i < raw.Agents.Count; i++)
        {
            AgentConfiguration agent = raw.Agents[i];
            if (!ScramVerifier.TryParse(agent.Verifier, out ScramVerifier? verifier))
            {
                throw new ConfigurationException($"agents[{i}].verifier: not a SCRAM-SHA-256 verifier; create one with `gateway verifier`");
            }

            foreach (string target in agent.Targets)
            {
                if (!targets.ContainsKey(target))
                {
                    throw new ConfigurationException($"agents[{i}].targets: unknown target \"{target}\"");
                }
            }

            if (!agents.TryAdd(agent.Name, new StaticAgent(agent.Name, verifier, agent.Targets.ToFrozenSet(StringComparer.Ordinal))))
            {
                throw new ConfigurationException($"agents[{i}].name: \"{agent.Name}\" is defined twice");
            }
        }

        LimitsConfiguration limits = raw.Limits;
        var gateway = new PgGatewayOptions();
        gateway = gateway with
        {
            MaxMessageSize = limits.MaxMessageSize ?? gateway.MaxMessageSize,
            LoginTimeout = limits.LoginTimeoutSeconds is { } login ? TimeSpan.FromSeconds(login) : gateway.LoginTimeout,
            UpstreamConnectTimeout = limits.UpstreamConnectTimeoutSeconds is { } connect ? TimeSpan.FromSeconds(connect) : gateway.UpstreamConnectTimeout,
        };
        try
        {
            gateway.Validate();
        }
        catch (ArgumentOutOfRangeException exception)
        {
            throw new ConfigurationException($"limits.{exception.ParamName}: out of range");
        }

        return new LoadedConfiguration(
            listeners,
            gateway,
            TimeSpan.FromSeconds(limits.ShutdownTimeoutSeconds ?? 10),
            raw.Io.Threads is < 1 or > 64 ? throw new ConfigurationException("io.threads: between 1 and 64") : raw.Io,
            targets.ToFrozenDictionary(StringComparer.Ordinal),
            agents.ToFrozenDictionary(StringComparer.Ordinal));
    }

    private static (IPEndPoint, PgListenerOptions) ResolveListener(ListenerConfiguration listener, string field, string baseDirectory)
    {
        if (!IPEndPoint.TryParse(listener.Address, out IPEndPoint? endPoint) || endPoint.Port == 0 && !listener.Address.EndsWith(":0", StringComparison.Ordinal))
        {
            throw new ConfigurationException($"{field}.address: \"{listener.Address}\" is not an address:port");
        }

        SslServerAuthenticationOptions? tls = null;
        if (listener.Tls is { } tlsConfiguration)
        {
            X509Certificate2 certificate;
            try
            {
                certificate = X509Certificate2.CreateFromPemFile(
                    Path.Combine(baseDirectory, tlsConfiguration.Certificate), Path.Combine(baseDirectory, tlsConfiguration.Key));
            }
            catch (Exception exception) when (exception is IOException or System.Security.Cryptography.CryptographicException or ArgumentException)
            {
                throw new ConfigurationException($"{field}.tls: cannot load the certificate and key: {exception.Message}");
            }

            tls = new SslServerAuthenticationOptions
            {
                ServerCertificateContext = SslStreamCertificateContext.Create(certificate, additionalCertificates: null),
                EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
                ClientCertificateRequired = false,
            };
        }
        else if (listener.RequireTls)
        {
            throw new ConfigurationException($"{field}.requireTls: TLS is required but no certificate is configured");
        }

        return (endPoint, new PgListenerOptions { Tls = tls, RequireTls = listener.RequireTls });
    }

    private static UpstreamTarget ResolveTarget(TargetConfiguration target, string field, string baseDirectory)
    {
        if (string.IsNullOrWhiteSpace(target.Name))
        {
            throw new ConfigurationException($"{field}.name: required");
        }

        EndPoint endPoint = IPAddress.TryParse(target.Host, out IPAddress? address)
            ? new IPEndPoint(address, target.Port)
            : new DnsEndPoint(target.Host, target.Port);
        UpstreamTlsMode mode = (target.Tls?.Mode ?? "disable") switch
        {
            "disable" => UpstreamTlsMode.Disable,
            "require" => UpstreamTlsMode.Require,
            "verify-full" => UpstreamTlsMode.VerifyFull,
            string other => throw new ConfigurationException($"{field}.tls.mode: \"{other}\" is not disable, require or verify-full"),
        };
        X509Certificate2Collection? ca = null;
        if (target.Tls?.CaBundle is { } bundle)
        {
            ca = [];
            try
            {
                ca.ImportFromPemFile(Path.Combine(baseDirectory, bundle));
            }
            catch (Exception exception) when (exception is IOException or System.Security.Cryptography.CryptographicException)
            {
                throw new ConfigurationException($"{field}.tls.caBundle: cannot load: {exception.Message}");
            }
        }
        else if (mode == UpstreamTlsMode.VerifyFull)
        {
            throw new ConfigurationException($"{field}.tls.caBundle: verify-full needs a CA bundle");
        }

        StartupParameterPolicy policy = StartupParameterPolicy.Default;
        if (target.ForwardParameters is not null || target.AllowOptionSettings is not null)
        {
            policy = new StartupParameterPolicy
            {
                ForwardedParameters = target.ForwardParameters?.ToFrozenSet(StringComparer.OrdinalIgnoreCase) ?? policy.ForwardedParameters,
                AllowedOptionSettings = target.AllowOptionSettings?.ToFrozenSet(StringComparer.OrdinalIgnoreCase) ?? policy.AllowedOptionSettings,
            };
        }

        return new UpstreamTarget
        {
            Name = target.Name,
            EndPoint = endPoint,
            HostName = target.Host,
            Database = target.Database,
            User = target.User,
            Password = new UpstreamSecret(ReadSecret(target.Password, $"{field}.password", baseDirectory)),
            Tls = mode,
            CaCertificates = ca,
            AllowCleartextPassword = target.AllowCleartextPassword,
            StartupParameters = policy,
        };
    }

    private static string ReadSecret(SecretReference reference, string field, string baseDirectory)
    {
        if (reference.Env is { } variable)
        {
            return Environment.GetEnvironmentVariable(variable)
                ?? throw new ConfigurationException($"{field}.env: environment variable {variable} is not set");
        }

        if (reference.File is { } file)
        {
            try
            {
                return File.ReadAllText(Path.Combine(baseDirectory, file)).TrimEnd('\r', '\n');
            }
            catch (IOException exception)
            {
                throw new ConfigurationException($"{field}.file: cannot read {file}: {exception.GetType().Name}");
            }
        }

        throw new ConfigurationException($"{field}: give either env or file; passwords are never written in the configuration itself");
    }
}
