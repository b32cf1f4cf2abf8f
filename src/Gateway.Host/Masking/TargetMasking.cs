using Gateway.Core.Masking;

namespace Gateway.Host.Masking;

/// <summary>
/// A target's masking as configured: the policy, and how the gateway reads the target's catalog on a connection of
/// its own (a connection string with a scope's credentials, held in memory only) and how often.
/// </summary>
internal sealed record TargetMasking(string Target, MaskingPolicy Policy, string CatalogConnectionString, TimeSpan RefreshInterval)
{
    /// <summary>The policy's detectors over free text: what session recordings run on the client's statements.</summary>
    public ContentRedactor Redactor { get; } = ContentRedactor.FromPolicy(Policy);

    /// <summary>Never prints the connection string, which holds a password.</summary>
    public override string ToString() => $"masking of {Target} ({Policy.Columns.Count} protected columns)";
}
