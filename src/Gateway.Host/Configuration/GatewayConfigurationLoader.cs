using System.Collections.Frozen;
using System.Globalization;
using System.Net;
using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Gateway.Core.Authentication;
using Gateway.Core.Configuration;
using Gateway.Core.Masking;
using Gateway.Host.Masking;
using Gateway.Host.Grants;
using Gateway.Host.Identities;

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
        var targets = new Dictionary<string, FrozenDictionary<string, TargetScope>>(StringComparer.Ordinal);
        var masking = new Dictionary<string, TargetMasking>(StringComparer.Ordinal);
        for (int i = 0; i < raw.Targets.Count; i++)
        {
            TargetConfiguration target = raw.Targets[i];
            if (string.IsNullOrWhiteSpace(target.Name))
            {
                throw new ConfigurationException($"targets[{i}].name: required");
            }

            if (!targets.TryAdd(target.Name, ResolveScopes(target, $"targets[{i}]", baseDirectory)))
            {
                throw new ConfigurationException($"targets[{i}].name: \"{target.Name}\" is defined twice");
            }

            if (target.Masking is { } configured)
            {
                masking.Add(target.Name, ResolveMasking(target, configured, $"targets[{i}].masking", baseDirectory));
            }
        }

        List<Identity> identities = ResolveIdentities(raw.Identities);
        List<AccessPolicy> policies = raw.Policies.Select((policy, i) => ResolvePolicy(policy, $"policies[{i}]", targets, identities)).ToList();
        if (policies.Select(p => p.Name).Distinct(StringComparer.Ordinal).Count() != policies.Count)
        {
            throw new ConfigurationException("policies: names must be unique");
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
            ResolveControl(raw.Control, listeners, baseDirectory),
            ResolveStore(raw.Store, baseDirectory, out string? storeConnectionString),
            storeConnectionString,
            targets.ToFrozenDictionary(StringComparer.Ordinal),
            identities,
            policies,
            masking.ToFrozenDictionary(StringComparer.Ordinal),
            ResolveAudit(raw.Audit, baseDirectory));
    }

    private static LoadedAudit ResolveAudit(AuditConfiguration audit, string baseDirectory)
    {
        if (audit.CheckpointIntervalSeconds is < 1 or > 86_400)
        {
            throw new ConfigurationException("audit.checkpointIntervalSeconds: between 1 and 86400");
        }

        if (audit.Recordings.MaxMegabytesPerSession is < 1 or > 1_048_576)
        {
            throw new ConfigurationException("audit.recordings.maxMegabytesPerSession: between 1 and 1048576");
        }

        if (audit.Recordings.CompressionLevel is < Gateway.Host.Recording.RecordingStoreOptions.MinCompressionLevel or > 22)
        {
            throw new ConfigurationException("audit.recordings.compressionLevel: between -50 and 22");
        }

        Uri? witnessUrl = null;
        if (audit.WitnessUrl is { } url && (!Uri.TryCreate(url, UriKind.Absolute, out witnessUrl) || witnessUrl.Scheme is not ("http" or "https")))
        {
            throw new ConfigurationException("audit.witnessUrl: an absolute http or https URL");
        }

        string directory = Path.GetFullPath(Path.Combine(baseDirectory, audit.Directory));
        string? witnessFile = audit.WitnessFile is { } file ? Path.GetFullPath(Path.Combine(baseDirectory, file)) : null;
        if (witnessFile is not null && witnessFile.StartsWith(directory + Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            // A witness beside the log is no witness: whoever can rewrite the log can rewrite it too.
            throw new ConfigurationException("audit.witnessFile: must be outside audit.directory");
        }

        if (witnessFile is not null && !System.IO.Directory.Exists(Path.GetDirectoryName(witnessFile)))
        {
            // Not created on the fly: a missing directory is usually a witness mount that is not mounted, and writing
            // the checkpoints to the local disk instead would defeat the witness.
            throw new ConfigurationException($"audit.witnessFile: the directory {Path.GetDirectoryName(witnessFile)} does not exist (is the witness mounted?)");
        }

        return new LoadedAudit(
            directory, TimeSpan.FromSeconds(audit.CheckpointIntervalSeconds), witnessFile, witnessUrl,
            audit.Recordings.Enabled, Path.GetFullPath(Path.Combine(baseDirectory, audit.Recordings.Directory)),
            audit.Recordings.MaxMegabytesPerSession * 1024L * 1024, audit.Recordings.CompressionLevel, audit.Recordings.CompressLiterals);
    }

    private static TargetMasking ResolveMasking(TargetConfiguration target, MaskingConfiguration masking, string field, string baseDirectory)
    {
        var columns = new List<ProtectedColumn>();
        for (int i = 0; i < masking.Columns.Count; i++)
        {
            MaskedColumnConfiguration column = masking.Columns[i];
            string[] parts = column.Column.Split('.');
            if (parts.Length != 3 || parts.Any(string.IsNullOrWhiteSpace))
            {
                throw new ConfigurationException($"{field}.columns[{i}].column: \"{column.Column}\" is not schema.table.column");
            }

            MaskStyle style = column.Style switch
            {
                "redact" => MaskStyle.Redact,
                "partial" => MaskStyle.Partial,
                "token" => MaskStyle.Token,
                "null" => MaskStyle.Null,
                string other => throw new ConfigurationException($"{field}.columns[{i}].style: \"{other}\" is not redact, partial, token or null"),
            };
            if (column.KeepLast is < 0 or > 64)
            {
                throw new ConfigurationException($"{field}.columns[{i}].keepLast: between 0 and 64");
            }

            columns.Add(new ProtectedColumn(parts[0], parts[1], parts[2], style) { KeepLast = column.KeepLast });
        }

        ContentDetectors detectors = ContentDetectors.All;
        if (masking.Detectors is { } names)
        {
            detectors = ContentDetectors.None;
            foreach (string name in names)
            {
                detectors |= name switch
                {
                    "all" => ContentDetectors.All,
                    "email" => ContentDetectors.Email,
                    "payment_card" => ContentDetectors.PaymentCard,
                    "us_ssn" => ContentDetectors.UsSsn,
                    "phone" => ContentDetectors.Phone,
                    "iban" => ContentDetectors.Iban,
                    "aws_access_key_id" => ContentDetectors.AwsAccessKeyId,
                    "aws_secret_key" => ContentDetectors.AwsSecretKey,
                    "jwt" => ContentDetectors.Jwt,
                    "pem_private_key" => ContentDetectors.PemPrivateKey,
                    "secret_assignment" => ContentDetectors.SecretAssignment,
                    _ => throw new ConfigurationException($"{field}.detectors: unknown detector \"{name}\""),
                };
            }
        }

        byte[] tokenKey = [];
        if (masking.TokenKey is { } reference)
        {
            tokenKey = System.Text.Encoding.UTF8.GetBytes(ReadSecret(reference, $"{field}.tokenKey", baseDirectory));
            if (tokenKey.Length < 32)
            {
                throw new ConfigurationException($"{field}.tokenKey: at least 32 bytes, so tokens cannot be brute-forced back to values");
            }
        }
        else if (columns.Any(c => c.Style == MaskStyle.Token))
        {
            throw new ConfigurationException($"{field}.tokenKey: required by the token style");
        }

        var policy = new MaskingPolicy
        {
            Columns = columns,
            Detectors = detectors,
            CustomDetectors = [.. masking.CustomDetectors.Select(d => new CustomDetector(d.Name, d.Pattern))],
            TokenKey = tokenKey,
            RedactedText = masking.RedactedText ?? "[redacted]",
            MaskAllExpressions = masking.MaskAllExpressions,
        };
        try
        {
            policy.Validate();
        }
        catch (ArgumentException exception)
        {
            throw new ConfigurationException($"{field}: {exception.Message}");
        }

        if (masking.CatalogRefreshSeconds is < 1 or > 86400)
        {
            throw new ConfigurationException($"{field}.catalogRefreshSeconds: between 1 and 86400");
        }

        // The catalog is read with a scope's role (a read scope if there is one): pg_catalog is visible to any role.
        (string scopeName, ScopeConfiguration scope) = target.Scopes.OrderBy(s => s.Value.Access == "read" ? 0 : 1).First();
        var connection = new Npgsql.NpgsqlConnectionStringBuilder
        {
            Host = target.Host,
            Port = target.Port,
            Database = target.Database,
            Username = scope.User,
            Password = ReadSecret(scope.Password, $"targets.{target.Name}.scopes.{scopeName}.password", baseDirectory),
            ApplicationName = "gateway masking catalog",
            Pooling = false,
            SslMode = (target.Tls?.Mode ?? "disable") switch
            {
                "require" => Npgsql.SslMode.Require,
                "verify-full" => Npgsql.SslMode.VerifyFull,
                _ => Npgsql.SslMode.Disable,
            },
            RootCertificate = target.Tls?.CaBundle is { } bundle ? Path.Combine(baseDirectory, bundle) : null,
        };
        return new TargetMasking(target.Name, policy, connection.ConnectionString, TimeSpan.FromSeconds(masking.CatalogRefreshSeconds));
    }

    private static FrozenDictionary<string, TargetScope> ResolveScopes(TargetConfiguration target, string field, string baseDirectory)
    {
        if (target.Scopes.Count == 0)
        {
            throw new ConfigurationException($"{field}.scopes: at least one scope (an upstream role) is required");
        }

        UpstreamTarget template = ResolveTarget(target, field, baseDirectory);
        var scopes = new Dictionary<string, TargetScope>(StringComparer.Ordinal);
        foreach ((string name, ScopeConfiguration scope) in target.Scopes)
        {
            string scopeField = $"{field}.scopes.{name}";
            if (scope.Access is not ("read" or "write"))
            {
                throw new ConfigurationException($"{scopeField}.access: \"{scope.Access}\" is not read or write");
            }

            UpstreamTarget upstream = template with
            {
                User = string.IsNullOrWhiteSpace(scope.User) ? throw new ConfigurationException($"{scopeField}.user: required") : scope.User,
                Password = new UpstreamSecret(ReadSecret(scope.Password, $"{scopeField}.password", baseDirectory)),
            };
            scopes.Add(name, new TargetScope(name, scope.Access, [.. scope.Tables], upstream));
        }

        return scopes.ToFrozenDictionary(StringComparer.Ordinal);
    }

    private static List<Identity> ResolveIdentities(List<IdentityConfiguration> configured)
    {
        var identities = new List<Identity>();
        for (int i = 0; i < configured.Count; i++)
        {
            IdentityConfiguration identity = configured[i];
            string field = $"identities[{i}]";
            if (string.IsNullOrWhiteSpace(identity.Name) || identities.Any(existing => existing.Name == identity.Name))
            {
                throw new ConfigurationException($"{field}.name: required and unique");
            }

            IdentityKind kind = identity.Kind switch
            {
                "agent" => IdentityKind.Agent,
                "reviewer" => IdentityKind.Reviewer,
                "admin" => IdentityKind.Admin,
                _ => throw new ConfigurationException($"{field}.kind: \"{identity.Kind}\" is not agent, reviewer or admin"),
            };
            if (!ApiKey.IsHash(identity.ApiKeyHash))
            {
                throw new ConfigurationException($"{field}.apiKeyHash: not a sha256: hash; create a key with `gateway apikey` (the key itself never goes in the file)");
            }

            identities.Add(new Identity { Name = identity.Name, Kind = kind, Groups = [.. identity.Groups], ApiKeyHash = identity.ApiKeyHash });
        }

        return identities;
    }

    private static AccessPolicy ResolvePolicy(PolicyConfiguration policy, string field, Dictionary<string, FrozenDictionary<string, TargetScope>> targets, List<Identity> identities)
    {
        if (string.IsNullOrWhiteSpace(policy.Name))
        {
            throw new ConfigurationException($"{field}.name: required");
        }

        foreach (string target in policy.Targets)
        {
            if (!targets.TryGetValue(target, out FrozenDictionary<string, TargetScope>? scopes))
            {
                throw new ConfigurationException($"{field}.targets: unknown target \"{target}\"");
            }

            foreach (string scope in policy.Scopes.Where(scope => !scopes.ContainsKey(scope)))
            {
                throw new ConfigurationException($"{field}.scopes: target \"{target}\" has no scope \"{scope}\"");
            }
        }

        if (!DurationText.TryParse(policy.MaxDuration, out TimeSpan maxDuration))
        {
            throw new ConfigurationException($"{field}.maxDuration: \"{policy.MaxDuration}\" is not a duration such as 30m, 2h or PT1H");
        }

        string? group = policy.Approval.Mode switch
        {
            "auto" => null,
            "reviewers" => string.IsNullOrWhiteSpace(policy.Approval.Group)
                ? throw new ConfigurationException($"{field}.approval.group: required for reviewers")
                : policy.Approval.Group,
            _ => throw new ConfigurationException($"{field}.approval.mode: \"{policy.Approval.Mode}\" is not auto or reviewers"),
        };
        if (group is not null && policy.Approval.Count < 1)
        {
            throw new ConfigurationException($"{field}.approval.count: at least 1");
        }

        if (group is not null && identities.Count(i => i.Kind == IdentityKind.Reviewer && i.Groups.Contains(group)) < policy.Approval.Count)
        {
            // Reviewers can also be added through the control API later; say so rather than refuse.
            Console.Error.WriteLine($"gateway: {field}: fewer than {policy.Approval.Count} reviewers in group \"{group}\" are configured");
        }

        return new AccessPolicy
        {
            Name = policy.Name,
            Agents = policy.Agents.ToFrozenSet(StringComparer.Ordinal),
            Targets = policy.Targets.ToFrozenSet(StringComparer.Ordinal),
            Scopes = policy.Scopes.ToFrozenSet(StringComparer.Ordinal),
            MaxDuration = maxDuration,
            ReviewerGroup = group,
            RequiredApprovals = policy.Approval.Count,
            Hours = policy.AllowedHours is { } hours ? ResolveHours(hours, $"{field}.allowedHours") : null,
        };
    }

    private static AllowedHours ResolveHours(AllowedHoursConfiguration hours, string field)
    {
        if (!TimeOnly.TryParseExact(hours.From, "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out TimeOnly from)
            || !TimeOnly.TryParseExact(hours.To, "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out TimeOnly to) || from == to)
        {
            throw new ConfigurationException($"{field}: from and to must be distinct HH:mm times");
        }

        try
        {
            return new AllowedHours(from, to, TimeZoneInfo.FindSystemTimeZoneById(hours.TimeZone));
        }
        catch (TimeZoneNotFoundException)
        {
            throw new ConfigurationException($"{field}.timeZone: unknown time zone \"{hours.TimeZone}\"");
        }
    }

    private static LoadedControl ResolveControl(ControlConfiguration control, List<(IPEndPoint EndPoint, PgListenerOptions Options)> listeners, string baseDirectory)
    {
        if (!IPEndPoint.TryParse(control.Address, out IPEndPoint? endPoint))
        {
            throw new ConfigurationException($"control.address: \"{control.Address}\" is not an address:port");
        }

        X509Certificate2? certificate = control.Tls is { } tls ? LoadCertificate(tls, "control.tls", baseDirectory) : null;
        string gatewayAddress = control.GatewayAddress ?? listeners[0].EndPoint.ToString();
        if (control.WatchIntervalMilliseconds is < 50 or > 60_000)
        {
            throw new ConfigurationException("control.watchIntervalMilliseconds: between 50 and 60000");
        }

        return new LoadedControl(endPoint, certificate, gatewayAddress, TimeSpan.FromMilliseconds(control.WatchIntervalMilliseconds));
    }

    private static StoreConfiguration ResolveStore(StoreConfiguration store, string baseDirectory, out string? connectionString)
    {
        connectionString = null;
        switch (store.Kind)
        {
            case "sqlite":
                return store with { Path = System.IO.Path.Combine(baseDirectory, store.Path) };
            case "postgres":
                connectionString = store.ConnectionString is { } reference
                    ? ReadSecret(reference, "store.connectionString", baseDirectory)
                    : throw new ConfigurationException("store.connectionString: required for postgres");
                return store;
            default:
                throw new ConfigurationException($"store.kind: \"{store.Kind}\" is not sqlite or postgres");
        }
    }

    private static X509Certificate2 LoadCertificate(ListenerTlsConfiguration tls, string field, string baseDirectory)
    {
        try
        {
            return X509Certificate2.CreateFromPemFile(Path.Combine(baseDirectory, tls.Certificate), Path.Combine(baseDirectory, tls.Key));
        }
        catch (Exception exception) when (exception is IOException or System.Security.Cryptography.CryptographicException or ArgumentException)
        {
            throw new ConfigurationException($"{field}: cannot load the certificate and key: {exception.Message}");
        }
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
            X509Certificate2 certificate = LoadCertificate(tlsConfiguration, $"{field}.tls", baseDirectory);

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
            User = string.Empty,
            Password = new UpstreamSecret(string.Empty),
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
