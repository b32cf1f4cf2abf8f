using Gateway.Core.Configuration;
using Gateway.Core.Sessions;
using Gateway.Host.Configuration;

namespace Gateway.Host.Policy;

/// <summary>
/// Authorizes the agents listed in the configuration file: the agent's name is the user name, the target's name is
/// the database name, and the agent must be allowed on that target. Grants will replace this as the normal path.
/// </summary>
internal sealed class StaticAgentAuthorizer(LoadedConfiguration configuration) : IPgSessionAuthorizer
{
    public ValueTask<AgentCredential?> FindCredentialAsync(PgStartupContext startup, CancellationToken cancellationToken)
    {
        string? user = startup.Parameters.User;
        AgentCredential? credential = user is not null && configuration.Agents.TryGetValue(user, out StaticAgent? agent)
            ? new AgentCredential(agent.Name, agent.Verifier) { State = agent }
            : null;
        return ValueTask.FromResult(credential);
    }

    public ValueTask<SessionAuthorization> AuthorizeAsync(PgAuthorizationContext context, CancellationToken cancellationToken)
    {
        var agent = (StaticAgent)context.Credential.State!;
        string? database = context.Startup.Parameters.Database;
        SessionAuthorization decision =
            database is null || !configuration.Targets.TryGetValue(database, out UpstreamTarget? target)
                ? SessionAuthorization.Deny($"agent {agent.Name} asked for unknown target \"{database}\"")
            : !agent.Targets.Contains(database)
                ? SessionAuthorization.Deny($"agent {agent.Name} is not allowed on target {database}")
            : SessionAuthorization.Allow(target);
        return ValueTask.FromResult(decision);
    }
}
