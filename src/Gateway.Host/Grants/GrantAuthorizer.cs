using Gateway.Core.Authentication;
using Gateway.Core.Sessions;
using Gateway.Host.Configuration;
using Gateway.Host.Storage;

namespace Gateway.Host.Grants;

/// <summary>
/// The front door for grants: the user name is a grant id, the secret its one-time credential. A grant that is
/// unknown, not yet issued, expired, revoked, for another target or database all look the same to the client
/// (28P01); the real reason goes to the log and the observers.
/// </summary>
internal sealed class GrantAuthorizer(IControlStore store, LoadedConfiguration configuration, TimeProvider time) : IPgSessionAuthorizer
{
    public async ValueTask<AgentCredential?> FindCredentialAsync(PgStartupContext startup, CancellationToken cancellationToken)
    {
        string? user = startup.Parameters.User;
        if (user is null || !user.StartsWith("g_", StringComparison.Ordinal) || user.Length > 64)
        {
            return null;
        }

        Grant? grant = await store.GetGrantAsync(user, cancellationToken);
        return grant?.Verifier is { } verifier && ScramVerifier.TryParse(verifier, out ScramVerifier? parsed)
            ? new AgentCredential(grant.Agent, parsed) { State = grant }
            : null;
    }

    public ValueTask<SessionAuthorization> AuthorizeAsync(PgAuthorizationContext context, CancellationToken cancellationToken)
    {
        var grant = (Grant)context.Credential.State!;
        DateTimeOffset now = time.GetUtcNow();
        string? database = context.Startup.Parameters.Database;
        SessionAuthorization decision;
        if (!grant.IsActiveAt(now))
        {
            decision = SessionAuthorization.Deny($"grant {grant.Id} is {GrantLifecycle.Describe(grant, now)}");
        }
        else if (!string.Equals(database, grant.Target, StringComparison.Ordinal))
        {
            decision = SessionAuthorization.Deny($"grant {grant.Id} is for target {grant.Target}, not \"{database}\"");
        }
        else if (!configuration.Targets.TryGetValue(grant.Target, out var scopes) || !scopes.TryGetValue(grant.Scope, out TargetScope? scope))
        {
            decision = SessionAuthorization.Deny($"target {grant.Target} no longer has scope {grant.Scope}");
        }
        else
        {
            decision = SessionAuthorization.Allow(scope.Upstream) with
            {
                Deadline = grant.ExpiresAt,
                DeadlineMessage = GrantEnforcer.EndMessage(grant with { Status = GrantStatus.Expired }),
                State = grant,
            };
        }

        return ValueTask.FromResult(decision);
    }
}
