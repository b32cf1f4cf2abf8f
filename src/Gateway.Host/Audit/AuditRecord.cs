using System.Text.Json.Nodes;

namespace Gateway.Host.Audit;

/// <summary>A durable line of the audit log: an <see cref="AuditEvent"/> placed in the hash chain.</summary>
internal sealed record AuditRecord
{
    public required long Seq { get; init; }

    /// <summary>UTC, to the millisecond.</summary>
    public required DateTimeOffset Time { get; init; }

    public required string Type { get; init; }

    public string? Agent { get; init; }

    public string? Grant { get; init; }

    public string? Session { get; init; }

    public string? Target { get; init; }

    public required JsonObject Data { get; init; }

    /// <summary>Lowercase hex SHA-256 of the previous record (64 zeros for the first).</summary>
    public required string Prev { get; init; }

    /// <summary>Lowercase hex of this record's chain hash (see docs/audit-log-format.md).</summary>
    public required string Hash { get; init; }
}
