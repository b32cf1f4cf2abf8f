namespace Gateway.Host.Audit;

/// <summary>What the verifier trusts besides the log directory itself.</summary>
internal sealed record AuditVerifyOptions
{
    /// <summary>
    /// The witness file the gateway exported checkpoints to. Its checkpoints are what detect tail truncation and a
    /// rewrite re-signed with the current key. A <c>.pub.pem</c> beside it is taken as the expected public key when
    /// <see cref="ExpectedPublicKeyPem"/> is not given.
    /// </summary>
    public string? WitnessFile { get; init; }

    /// <summary>The checkpoint key's public half (SubjectPublicKeyInfo PEM) as held outside the gateway.</summary>
    public string? ExpectedPublicKeyPem { get; init; }
}
