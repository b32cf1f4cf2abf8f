using Gateway.Core.Authentication;
using Gateway.Core.Masking;
using Gateway.Core.Sessions;
using Gateway.Core.Transport;
using Gateway.Host.Audit;
using Gateway.Host.Configuration;
using Gateway.Host.Masking;
using Gateway.Host.Recording;
using Gateway.Host.Storage;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Gateway.Host.Grants;

/// <summary>
/// The front door for grants: the user name is a grant id, the secret its one-time credential. A grant that is
/// unknown, not yet issued, expired, revoked, for another target or database all look the same to the client
/// (28P01); the real reason goes to the log and the observers. A session of a masked target gets its masking hook,
/// over the target's current catalog; without a catalog it is refused (fail closed). Every allowed session gets
/// its recording and a durable opening audit record before it connects upstream; when either cannot be written the
/// client is told the gateway cannot record sessions now (57P03), and nothing reaches the upstream.
/// </summary>
internal sealed class GrantAuthorizer(
    IControlStore store,
    LoadedConfiguration configuration,
    MaskingCatalogCache catalogs,
    AuditTrail audit,
    TimeProvider time,
    ILogger<GrantAuthorizer> logger,
    RecordingStore? recordings = null) : IPgSessionAuthorizer
{
    private const string UnavailableMessage = "the gateway cannot record sessions right now; try again later";

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

    public async ValueTask<SessionAuthorization> AuthorizeAsync(PgAuthorizationContext context, CancellationToken cancellationToken)
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
            decision = await AllowAsync(grant, scope, context, cancellationToken).ConfigureAwait(false);
        }

        return decision;
    }

    private async ValueTask<SessionAuthorization> AllowAsync(Grant grant, TargetScope scope, PgAuthorizationContext context, CancellationToken cancellationToken)
    {
        if (!audit.IsAvailable)
        {
            return Unavailable(grant);
        }

        IPgMessageHook[] hooks = [];
        MaskingStatistics? statistics = null;
        if (configuration.Masking.TryGetValue(grant.Target, out TargetMasking? masking))
        {
            MaskingCatalogCache.Entry catalog;
            try
            {
                catalog = await catalogs.GetAsync(masking, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception exception) when (exception is NpgsqlException or TimeoutException or System.Net.Sockets.SocketException)
            {
                return SessionAuthorization.Deny($"masking catalog of {grant.Target} unavailable ({exception.GetType().Name})");
            }

            statistics = new MaskingStatistics();
            hooks = [new PgMasking(() => catalog.Current!, statistics, _ => catalog.RelationUnknown(time, logger))];
        }

        string sessionId = GrantSessionState.NewSessionId();
        SessionRecording? recording;
        try
        {
            recording = recordings?.Create(new RecordingHeader(
                sessionId, grant.Id, grant.Agent, grant.Target, grant.Scope, context.Startup.Parameters.Database, time.GetUtcNow()), masking?.Redactor);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            // No session runs without its recording.
            return SessionAuthorization.Unavailable(
                $"grant {grant.Id}: the session recording could not start ({exception.GetType().Name})", UnavailableMessage);
        }

        var state = new GrantSessionState(grant, sessionId)
        {
            Masking = statistics,
            Recording = recording,
            RecordingPath = recording is null ? null : Path.GetRelativePath(recordings!.Options.Directory, recording.Path),
        };
        try
        {
            await audit.RecordOpeningAsync(state, context, cancellationToken).ConfigureAwait(false);
        }
        catch (AuditUnavailableException)
        {
            if (recording is not null)
            {
                await recording.CompleteAsync(nameof(CloseReason.ServiceUnavailable)).ConfigureAwait(false);
            }

            return Unavailable(grant);
        }

        return SessionAuthorization.Allow(scope.Upstream) with
        {
            Deadline = grant.ExpiresAt,
            DeadlineMessage = GrantEnforcer.EndMessage(grant with { Status = GrantStatus.Expired }),
            State = state,
            Hooks = hooks,
            Recorder = recording,
        };
    }

    private static SessionAuthorization Unavailable(Grant grant)
        => SessionAuthorization.Unavailable($"grant {grant.Id}: the audit log is not writable", UnavailableMessage);
}
