using System.Collections.Concurrent;
using Gateway.Core.Authentication;
using Gateway.Core.Configuration;
using Gateway.Core.Sessions;

namespace Gateway.Testing;

/// <summary>
/// An authorizer over an in-memory list of agents and targets. The database the client names is the target name,
/// as in the reference host. Tests can adjust each decision through <see cref="Decide"/>.
/// </summary>
public sealed class TestAuthorizer : IPgSessionAuthorizer
{
    private static readonly ConcurrentDictionary<string, ScramVerifier> VerifierCache = new();

    public ConcurrentDictionary<string, (ScramVerifier Verifier, string[] Targets)> Agents { get; } = new();

    public ConcurrentDictionary<string, UpstreamTarget> Targets { get; } = new();

    /// <summary>Optional: turns the default allow into something else (a deadline, hooks, a denial).</summary>
    public Func<PgAuthorizationContext, UpstreamTarget, SessionAuthorization>? Decide { get; set; }

    public void AddAgent(string name, string secret, params string[] targets)
        => Agents[name] = (VerifierCache.GetOrAdd(secret, static s => ScramVerifier.Create(s)), targets);

    public ValueTask<AgentCredential?> FindCredentialAsync(PgStartupContext startup, CancellationToken cancellationToken)
    {
        string? user = startup.Parameters.User;
        return ValueTask.FromResult(user is not null && Agents.TryGetValue(user, out var agent)
            ? new AgentCredential(user, agent.Verifier) { State = agent.Targets }
            : null);
    }

    public ValueTask<SessionAuthorization> AuthorizeAsync(PgAuthorizationContext context, CancellationToken cancellationToken)
    {
        string? database = context.Startup.Parameters.Database;
        var allowed = (string[])context.Credential.State!;
        if (database is null || !allowed.Contains(database) || !Targets.TryGetValue(database, out UpstreamTarget? target))
        {
            return ValueTask.FromResult(SessionAuthorization.Deny($"{context.Credential.Identity} may not open {database}"));
        }

        return ValueTask.FromResult(Decide?.Invoke(context, target) ?? SessionAuthorization.Allow(target));
    }
}
