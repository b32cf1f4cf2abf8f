using System.Collections.Concurrent;
using Gateway.Core.Sessions;
using Gateway.Core.Transport;
using Gateway.Host.Storage;
using Microsoft.Extensions.Logging;

namespace Gateway.Host.Grants;

/// <summary>
/// Makes grants' ends real. It knows the live sessions of every grant (as a session observer), ends them on
/// revocation, marks grants expired when their window passes (one timer for the earliest expiry, however many grants
/// there are), and, when several instances share a store, checks the grants of its own live sessions at a short
/// interval so that a revocation made elsewhere ends sessions here too. The sessions' own deadlines (set at login
/// from the grant's expiry) end them on time even if this class were late.
/// </summary>
internal sealed partial class GrantEnforcer : IPgSessionObserver, IAsyncDisposable
{
    private readonly IControlStore _store;
    private readonly TimeProvider _time;
    private readonly ILogger<GrantEnforcer> _logger;
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<long, PgSession>> _sessions = new(StringComparer.Ordinal);
    private readonly PriorityQueue<string, DateTimeOffset> _expiries = new();
    private readonly Lock _expiryLock = new();
    private readonly ITimer _expiryTimer;
    private readonly ITimer? _watchTimer;
    private readonly Action<Grant>? _expired;
    private DateTimeOffset? _armedFor;
    private int _watching;

    /// <param name="store">Where grants live.</param>
    /// <param name="time">The clock the expiry timers run on.</param>
    /// <param name="logger">For expiries and store failures.</param>
    /// <param name="watchInterval">How often to look for changes made by other instances; null for none.</param>
    /// <param name="expired">Told of each grant this instance marked expired (the audit trail records it).</param>
    public GrantEnforcer(IControlStore store, TimeProvider time, ILogger<GrantEnforcer> logger, TimeSpan? watchInterval, Action<Grant>? expired = null)
    {
        _expired = expired;
        _store = store;
        _time = time;
        _logger = logger;
        _expiryTimer = time.CreateTimer(static state => ((GrantEnforcer)state!).OnExpiryTimer(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        if (watchInterval is { } interval)
        {
            _watchTimer = time.CreateTimer(static state => ((GrantEnforcer)state!).OnWatchTimer(), this, interval, interval);
        }
    }

    /// <summary>The latest run of expiries started by the timer (tests await it instead of sleeping).</summary>
    internal Task Expiring { get; private set; } = Task.CompletedTask;

    /// <summary>Grants with at least one live session here.</summary>
    public int GrantsWithSessions => _sessions.Count(pair => !pair.Value.IsEmpty);

    /// <summary>Loads every approved grant and schedules its expiry; run at start so that a restart keeps expiries.</summary>
    public async Task LoadAsync(CancellationToken cancellationToken)
    {
        IReadOnlyList<Grant> approved = await _store.ListGrantsAsync(new GrantQuery(Status: GrantStatus.Approved, Limit: int.MaxValue), cancellationToken);
        foreach (Grant grant in approved)
        {
            Schedule(grant);
        }
    }

    /// <summary>Arranges for an approved grant to be marked expired at its end.</summary>
    public void Schedule(Grant grant)
    {
        if (grant.Status != GrantStatus.Approved || grant.ExpiresAt is not { } expires)
        {
            return;
        }

        lock (_expiryLock)
        {
            _expiries.Enqueue(grant.Id, expires);
            ArmLocked();
        }
    }

    /// <summary>Ends every live session of a grant, each client told why.</summary>
    public int EndSessions(string grantId, CloseReason reason, string message)
    {
        if (!_sessions.TryGetValue(grantId, out ConcurrentDictionary<long, PgSession>? sessions))
        {
            return 0;
        }

        int ended = 0;
        foreach (PgSession session in sessions.Values)
        {
            session.Terminate(reason, message);
            ended++;
        }

        return ended;
    }

    public void OnOpened(PgSession session)
    {
        if (session.CredentialState is Grant grant)
        {
            _sessions.GetOrAdd(grant.Id, static _ => new ConcurrentDictionary<long, PgSession>())[session.Id] = session;
        }
    }

    public void OnClosed(PgSession session)
    {
        if (session.CredentialState is Grant grant && _sessions.TryGetValue(grant.Id, out ConcurrentDictionary<long, PgSession>? sessions))
        {
            sessions.TryRemove(session.Id, out _);
        }
    }

    public void OnLoginFailed(PgLoginFailure failure)
    {
    }

    public async ValueTask DisposeAsync()
    {
        await _expiryTimer.DisposeAsync();
        if (_watchTimer is not null)
        {
            await _watchTimer.DisposeAsync();
        }
    }

    /// <summary>Ending message a client sees, naming the grant and what happened to it.</summary>
    public static string EndMessage(Grant grant) => grant.Status switch
    {
        GrantStatus.Revoked => $"terminating connection because grant {grant.Id} was revoked by {grant.EndedBy}",
        _ => $"terminating connection because grant {grant.Id} expired at {grant.ExpiresAt?.UtcDateTime:yyyy-MM-dd HH:mm:ss} UTC",
    };

    private void ArmLocked()
    {
        if (!_expiries.TryPeek(out _, out DateTimeOffset next) || next == _armedFor)
        {
            return;
        }

        TimeSpan due = next - _time.GetUtcNow();
        _expiryTimer.Change(due < TimeSpan.Zero ? TimeSpan.Zero : due > TimeSpan.FromDays(30) ? TimeSpan.FromDays(30) : due, Timeout.InfiniteTimeSpan);
        _armedFor = next;
    }

    private void OnExpiryTimer()
    {
        var due = new List<string>();
        lock (_expiryLock)
        {
            DateTimeOffset now = _time.GetUtcNow();
            while (_expiries.TryPeek(out string? id, out DateTimeOffset at) && at <= now)
            {
                _expiries.Dequeue();
                due.Add(id);
            }

            _armedFor = null;
            ArmLocked();
        }

        if (due.Count > 0)
        {
            Expiring = ExpireAsync(due);
        }
    }

    private async Task ExpireAsync(List<string> ids)
    {
        foreach (string id in ids)
        {
            try
            {
                // Another instance (or a revocation) may have changed it first: reload and retry on a version conflict.
                for (int attempt = 0; attempt < 5; attempt++)
                {
                    Grant? grant = await _store.GetGrantAsync(id, CancellationToken.None);
                    if (grant is null || GrantLifecycle.Expire(grant, _time.GetUtcNow()) is not { } expired)
                    {
                        break;
                    }

                    if (await _store.UpdateGrantAsync(expired, CancellationToken.None))
                    {
                        _expired?.Invoke(expired);
                        LogExpired(_logger, id, expired.Agent, expired.Target, EndSessions(id, CloseReason.GrantExpired, EndMessage(expired)));
                        break;
                    }
                }
            }
#pragma warning disable CA1031 // A store failure must not stop the timer; the session deadlines still end the sessions.
            catch (Exception exception)
#pragma warning restore CA1031
            {
                LogStoreFailed(_logger, id, exception.GetType().Name, exception.Message);
            }
        }
    }

    private void OnWatchTimer()
    {
        if (Interlocked.Exchange(ref _watching, 1) == 0)
        {
            _ = WatchAsync();
        }
    }

    /// <summary>Re-reads the grants of live sessions here and ends the sessions of any that stopped being active.</summary>
    private async Task WatchAsync()
    {
        try
        {
            string[] ids = [.. _sessions.Where(pair => !pair.Value.IsEmpty).Select(pair => pair.Key)];
            if (ids.Length == 0)
            {
                return;
            }

            DateTimeOffset now = _time.GetUtcNow();
            foreach (Grant grant in await _store.GetGrantsAsync(ids, CancellationToken.None))
            {
                if (!grant.IsActiveAt(now))
                {
                    CloseReason reason = grant.Status == GrantStatus.Revoked ? CloseReason.GrantRevoked : CloseReason.GrantExpired;
                    EndSessions(grant.Id, reason, EndMessage(grant));
                }
            }
        }
#pragma warning disable CA1031 // The next tick tries again; a transient store failure must not kill the watcher.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            LogStoreFailed(_logger, "(watch)", exception.GetType().Name, exception.Message);
        }
        finally
        {
            Volatile.Write(ref _watching, 0);
        }
    }

    [LoggerMessage(EventId = 11_010, Level = LogLevel.Information, Message = "Grant {GrantId} of agent {Agent} on target {Target} expired; {Sessions} live sessions ended")]
    private static partial void LogExpired(ILogger logger, string grantId, string agent, string target, int sessions);

    [LoggerMessage(EventId = 11_011, Level = LogLevel.Error, Message = "Grant store failed while enforcing {GrantId}: {ExceptionType}: {Detail}")]
    private static partial void LogStoreFailed(ILogger logger, string grantId, string exceptionType, string detail);
}
