namespace Gateway.Host.Configuration;

/// <summary>The reference host's configuration file, as written in JSON (see docs/configuration.md).</summary>
internal sealed record GatewayConfiguration
{
    public List<ListenerConfiguration> Listeners { get; set; } = [];

    public LimitsConfiguration Limits { get; set; } = new();

    public IoConfiguration Io { get; set; } = new();

    public List<TargetConfiguration> Targets { get; set; } = [];

    public List<AgentConfiguration> Agents { get; set; } = [];
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

    public required string User { get; set; }

    public required SecretReference Password { get; set; }

    public TargetTlsConfiguration? Tls { get; set; }

    public bool AllowCleartextPassword { get; set; }

    /// <summary>Replaces the default list of startup parameters forwarded upstream.</summary>
    public List<string>? ForwardParameters { get; set; }

    /// <summary>Settings a client may pass with <c>options=-c name=value</c>.</summary>
    public List<string>? AllowOptionSettings { get; set; }
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

internal sealed record AgentConfiguration
{
    public required string Name { get; set; }

    /// <summary>A SCRAM-SHA-256 verifier made by <c>gateway verifier</c>.</summary>
    public required string Verifier { get; set; }

    /// <summary>The targets this agent may open; the agent names one as the database in its connection string.</summary>
    public List<string> Targets { get; set; } = [];
}
