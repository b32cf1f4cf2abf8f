namespace Gateway.Host.Grants;

/// <summary>
/// The one-time connection credential of a grant, returned once to the requesting agent. The gateway keeps only its
/// SCRAM verifier; it is not the upstream role's password, which no agent ever sees.
/// </summary>
internal sealed record GrantCredential(string User, string Password, string Database, string Host, int Port)
{
    /// <summary>A libpq connection URI for the grant (clients add sslmode as the listener requires).</summary>
    public string ConnectionUri => $"postgresql://{Uri.EscapeDataString(User)}:{Uri.EscapeDataString(Password)}@{Host}:{Port}/{Uri.EscapeDataString(Database)}";
}
