namespace Gateway.Core.Sessions;

/// <summary>
/// The host's decision point. The gateway asks it twice: first for the credential of the user named in the startup
/// packet, then, once the client has proven it holds that credential, whether and where the session may go.
/// </summary>
public interface IPgSessionAuthorizer
{
    /// <summary>
    /// Returns the credential for the startup packet's user, or null when there is none. The gateway answers both
    /// cases the same way until the proof fails, so a client cannot learn which users exist.
    /// </summary>
    ValueTask<AgentCredential?> FindCredentialAsync(PgStartupContext startup, CancellationToken cancellationToken);

    /// <summary>Decides, after a successful proof, whether the session may proceed and with which upstream target.</summary>
    ValueTask<SessionAuthorization> AuthorizeAsync(PgAuthorizationContext context, CancellationToken cancellationToken);
}
