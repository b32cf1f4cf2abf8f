namespace Gateway.Core.Configuration;

/// <summary>Limits and timeouts that apply to every session of a <see cref="Sessions.PgGateway"/>.</summary>
public sealed record PgGatewayOptions
{
    /// <summary>PostgreSQL's own limit for a message after authentication (PQ_LARGE_MESSAGE_LIMIT, 1 GiB - 2).</summary>
    public const int PostgresMaxMessageSize = 0x3FFF_FFFE;

    /// <summary>
    /// The largest message the gateway accepts from either side after authentication. Messages that no hook inspects
    /// are streamed through without being buffered whole, so a large limit costs no memory; messages a hook
    /// inspects are buffered up to this size.
    /// </summary>
    public int MaxMessageSize { get; init; } = PostgresMaxMessageSize;

    /// <summary>The largest message accepted before authentication completes (PostgreSQL's PQ_SMALL_MESSAGE_LIMIT).</summary>
    public int MaxStartupMessageSize { get; init; } = 10_000;

    /// <summary>How long a client may take from connecting to being authenticated (PostgreSQL's authentication_timeout).</summary>
    public TimeSpan LoginTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long connecting and logging in upstream may take.</summary>
    public TimeSpan UpstreamConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The most PBKDF2 iterations the gateway will compute when an upstream server asks for SCRAM.</summary>
    public int MaxUpstreamScramIterations { get; init; } = 100_000;

    /// <summary>Throws when a value is out of range.</summary>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxMessageSize, 1024, nameof(MaxMessageSize));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(MaxMessageSize, PostgresMaxMessageSize, nameof(MaxMessageSize));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxStartupMessageSize, 1024, nameof(MaxStartupMessageSize));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(LoginTimeout, TimeSpan.Zero, nameof(LoginTimeout));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(UpstreamConnectTimeout, TimeSpan.Zero, nameof(UpstreamConnectTimeout));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxUpstreamScramIterations, 4096, nameof(MaxUpstreamScramIterations));
    }
}
