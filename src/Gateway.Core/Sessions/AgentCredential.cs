using Gateway.Core.Authentication;

namespace Gateway.Core.Sessions;

/// <summary>A stored credential: who it identifies and the SCRAM verifier a client must prove against.</summary>
/// <param name="Identity">The identity the audit trail records, for example the agent's name or a grant id.</param>
/// <param name="Verifier">The stored SCRAM-SHA-256 verifier.</param>
public sealed record AgentCredential(string Identity, ScramVerifier Verifier)
{
    /// <summary>The host's own data for the credential (for example its grant), handed back at authorization.</summary>
    public object? State { get; init; }
}
