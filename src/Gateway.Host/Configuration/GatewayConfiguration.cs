namespace Gateway.Host.Configuration;

/// <summary>The reference host's configuration file, as written in JSON (see docs/configuration.md).</summary>
internal sealed record GatewayConfiguration
{
    public List<ListenerConfiguration> Listeners { get; set; } = [];

    public LimitsConfiguration Limits { get; set; } = new();

    public IoConfiguration Io { get; set; } = new();

    public ControlConfiguration Control { get; set; } = new();

    public StoreConfiguration Store { get; set; } = new();

    public AuditConfiguration Audit { get; set; } = new();

    public List<TargetConfiguration> Targets { get; set; } = [];

    public List<IdentityConfiguration> Identities { get; set; } = [];

    public List<PolicyConfiguration> Policies { get; set; } = [];
}

/// <summary>The control plane's HTTP listener.</summary>
internal sealed record ControlConfiguration
{
    public string Address { get; set; } = "127.0.0.1:6480";

    public ListenerTlsConfiguration? Tls { get; set; }

    /// <summary>The host:port agents use to reach the PostgreSQL listener, written into connection strings.</summary>
    public string? GatewayAddress { get; set; }

    /// <summary>How often an instance sharing a store looks for grants changed by another instance.</summary>
    public int WatchIntervalMilliseconds { get; set; } = 250;
}

/// <summary>Where grants and identities created through the API are kept.</summary>
internal sealed record StoreConfiguration
{
    /// <summary><c>sqlite</c> (the default, one instance) or <c>postgres</c> (several instances share it).</summary>
    public string Kind { get; set; } = "sqlite";

    /// <summary>The SQLite file, relative to the configuration file.</summary>
    public string Path { get; set; } = "gateway.db";

    /// <summary>The PostgreSQL connection string, by reference.</summary>
    public SecretReference? ConnectionString { get; set; }
}

/// <summary>The tamper-evident audit log and the session recordings.</summary>
internal sealed record AuditConfiguration
{
    /// <summary>The audit log's directory, relative to the configuration file.</summary>
    public string Directory { get; set; } = "audit";

    /// <summary>How often a signed checkpoint is written, also when nothing happens.</summary>
    public int CheckpointIntervalSeconds { get; set; } = 60;

    /// <summary>A file outside the gateway's trust domain (another machine's mount) that receives every checkpoint.</summary>
    public string? WitnessFile { get; set; }

    /// <summary>An HTTP endpoint that receives every checkpoint as a JSON POST.</summary>
    public string? WitnessUrl { get; set; }

    public RecordingConfiguration Recordings { get; set; } = new();
}

internal sealed record RecordingConfiguration
{
    /// <summary>Record every session (the default). Off only for benchmarks of the relay without it.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Where recordings go, relative to the configuration file; one file per connection, by day.</summary>
    public string Directory { get; set; } = "recordings";

    /// <summary>Beyond this size a recording is marked truncated and keeps only counts.</summary>
    public int MaxMegabytesPerSession { get; set; } = 256;

    /// <summary>zstd level of the recordings (-50 to 22); negative levels are faster and compress less.</summary>
    public int CompressionLevel { get; set; } = Gateway.Host.Recording.RecordingStoreOptions.DefaultCompressionLevel;

    /// <summary>Huffman-code literals at negative levels too (default): about 1.7x the ratio on text results for about 10 % more recording CPU.</summary>
    public bool CompressLiterals { get; set; } = true;
}

internal sealed record ListenerConfiguration
{
    public string Address { get; set; } = "127.0.0.1:6432";

    public ListenerTlsConfiguration? Tls { get; set; }

    public bool RequireTls { get; set; }
}

internal sealed record ListenerTlsConfiguration
{
    /// <summary>PEM file with the server certificate (and chain).</summary>
    public required string Certificate { get; set; }

    /// <summary>PEM file with the private key.</summary>
    public required string Key { get; set; }
}

internal sealed record LimitsConfiguration
{
    public int? MaxMessageSize { get; set; }

    public double? LoginTimeoutSeconds { get; set; }

    public double? UpstreamConnectTimeoutSeconds { get; set; }

    public double? ShutdownTimeoutSeconds { get; set; }
}

internal sealed record IoConfiguration
{
    /// <summary>Run socket completions, and with them the relay, on the I/O threads instead of hopping to the thread pool.</summary>
    public bool InlineCompletions { get; set; } = true;

    /// <summary>Socket I/O (epoll) threads; default half the processors, at least one.</summary>
    public int? Threads { get; set; }
}

internal sealed record TargetConfiguration
{
    public required string Name { get; set; }

    public required string Host { get; set; }

    public int Port { get; set; } = 5432;

    public required string Database { get; set; }

    public TargetTlsConfiguration? Tls { get; set; }

    public bool AllowCleartextPassword { get; set; }

    /// <summary>Replaces the default list of startup parameters forwarded upstream.</summary>
    public List<string>? ForwardParameters { get; set; }

    /// <summary>Settings a client may pass with <c>options=-c name=value</c>.</summary>
    public List<string>? AllowOptionSettings { get; set; }

    /// <summary>Named levels of access, each an upstream role whose credentials only the gateway holds.</summary>
    public Dictionary<string, ScopeConfiguration> Scopes { get; set; } = [];

    /// <summary>What every session of this target masks; none when absent.</summary>
    public MaskingConfiguration? Masking { get; set; }
}

internal sealed record MaskingConfiguration
{
    /// <summary>Protected columns, each <c>schema.table.column</c> with its style.</summary>
    public List<MaskedColumnConfiguration> Columns { get; set; } = [];

    /// <summary>Built-in content detectors by name, <c>all</c> (the default) or none (an empty list).</summary>
    public List<string>? Detectors { get; set; }

    public List<CustomDetectorConfiguration> CustomDetectors { get; set; } = [];

    /// <summary>The key of the <c>token</c> style (at least 32 bytes of secret), by reference.</summary>
    public SecretReference? TokenKey { get; set; }

    public string? RedactedText { get; set; }

    /// <summary>Mask every result column without an origin, not only those of statements naming protected data.</summary>
    public bool MaskAllExpressions { get; set; }

    /// <summary>How old the catalog of protected columns may get before it is read again.</summary>
    public int CatalogRefreshSeconds { get; set; } = 60;
}

internal sealed record MaskedColumnConfiguration
{
    public required string Column { get; set; }

    /// <summary><c>redact</c>, <c>partial</c>, <c>token</c> or <c>null</c>.</summary>
    public string Style { get; set; } = "redact";

    public int KeepLast { get; set; } = 4;
}

internal sealed record CustomDetectorConfiguration
{
    public required string Name { get; set; }

    public required string Pattern { get; set; }
}

internal sealed record ScopeConfiguration
{
    /// <summary><c>read</c> or <c>write</c>.</summary>
    public required string Access { get; set; }

    public required string User { get; set; }

    public required SecretReference Password { get; set; }

    /// <summary>The tables the role is limited to (enforced by the role's privileges; recorded on each grant).</summary>
    public List<string> Tables { get; set; } = [];
}

internal sealed record TargetTlsConfiguration
{
    /// <summary><c>disable</c>, <c>require</c> or <c>verify-full</c>.</summary>
    public string Mode { get; set; } = "disable";

    /// <summary>PEM bundle of the CA certificates for <c>verify-full</c>.</summary>
    public string? CaBundle { get; set; }
}

/// <summary>Where a secret lives: an environment variable or a file. Secrets never appear in the file itself.</summary>
internal sealed record SecretReference
{
    public string? Env { get; set; }

    public string? File { get; set; }
}

internal sealed record IdentityConfiguration
{
    public required string Name { get; set; }

    /// <summary><c>agent</c>, <c>reviewer</c> or <c>admin</c>.</summary>
    public required string Kind { get; set; }

    public List<string> Groups { get; set; } = [];

    /// <summary><c>sha256:…</c> of the API key, as printed by <c>gateway apikey</c>.</summary>
    public required string ApiKeyHash { get; set; }
}

internal sealed record PolicyConfiguration
{
    public required string Name { get; set; }

    /// <summary>Agent names, or <c>*</c>.</summary>
    public List<string> Agents { get; set; } = [];

    public List<string> Targets { get; set; } = [];

    public List<string> Scopes { get; set; } = [];

    /// <summary>The longest window a grant may ask for: <c>30m</c>, <c>2h</c>, <c>PT1H</c>.</summary>
    public required string MaxDuration { get; set; }

    public ApprovalConfiguration Approval { get; set; } = new();

    public AllowedHoursConfiguration? AllowedHours { get; set; }
}

internal sealed record ApprovalConfiguration
{
    /// <summary><c>auto</c> (the policy approves and is recorded as the approver) or <c>reviewers</c>.</summary>
    public string Mode { get; set; } = "auto";

    public string? Group { get; set; }

    public int Count { get; set; } = 1;
}

internal sealed record AllowedHoursConfiguration
{
    /// <summary><c>HH:mm</c>.</summary>
    public required string From { get; set; }

    public required string To { get; set; }

    public string TimeZone { get; set; } = "UTC";
}
