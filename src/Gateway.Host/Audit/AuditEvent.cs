using System.Text.Json.Nodes;

namespace Gateway.Host.Audit;

/// <summary>
/// Something to record: a type such as <c>grant.approved</c>, the parties it concerns, and free-form data. The log
/// gives it a sequence number, a time and its place in the hash chain. <see cref="Data"/> is serialized on the
/// log's writer, so the caller must not change it after handing it over.
/// </summary>
internal sealed record AuditEvent(string Type, JsonObject? Data = null)
{
    public string? Agent { get; init; }

    public string? Grant { get; init; }

    public string? Session { get; init; }

    public string? Target { get; init; }
}
