namespace Gateway.Core.Sessions;

/// <summary>An authenticated client asking to proceed.</summary>
/// <param name="Startup">The startup parameters and connection facts.</param>
/// <param name="Credential">The credential the client proved it holds.</param>
public sealed record PgAuthorizationContext(PgStartupContext Startup, AgentCredential Credential);
