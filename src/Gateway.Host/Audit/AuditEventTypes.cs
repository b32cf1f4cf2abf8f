namespace Gateway.Host.Audit;

/// <summary>The audit record types (docs/audit.md lists each with its fields).</summary>
internal static class AuditEventTypes
{
    // Written by the log itself.
    public const string GatewayStart = "gateway.start";
    public const string GatewayStop = "gateway.stop";
    public const string UncleanShutdown = "gateway.unclean-shutdown";
    public const string Recovered = "audit.recovered";

    // Written by the host.
    public const string ConfigurationLoaded = "configuration.loaded";
    public const string IdentityCreated = "identity.created";
    public const string GrantRequested = "grant.requested";
    public const string GrantApproved = "grant.approved";
    public const string GrantApprovalRecorded = "grant.approval-recorded";
    public const string GrantActivated = "grant.activated";
    public const string GrantDenied = "grant.denied";
    public const string GrantCredentialIssued = "grant.credential-issued";
    public const string GrantRevoked = "grant.revoked";
    public const string GrantExpired = "grant.expired";
    public const string SessionOpened = "session.opened";
    public const string SessionClosed = "session.closed";
    public const string SessionRefused = "session.refused";
    public const string AuthenticationFailed = "auth.failed";
    public const string ConnectionFailed = "connection.failed";
}
