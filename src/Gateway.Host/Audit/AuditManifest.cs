namespace Gateway.Host.Audit;

/// <summary>
/// <c>log.json</c>: the log's random 128-bit id (bound into every hash, so records grafted from another log fail)
/// and the public key its checkpoints are signed with.
/// </summary>
internal sealed record AuditManifest
{
    public const string CurrentFormat = "gatewaycore-audit/1";

    public required string Format { get; init; }

    /// <summary>32 lowercase hex digits.</summary>
    public required string LogId { get; init; }

    public required string KeyId { get; init; }

    public required string PublicKey { get; init; }

    public required DateTimeOffset Created { get; init; }
}
