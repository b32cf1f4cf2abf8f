using System.Collections.Concurrent;
using Gateway.Core.Sessions;
using Gateway.Core.Transport;

namespace Gateway.Testing;

/// <summary>Records session events and lets a test await them instead of sleeping.</summary>
public sealed class RecordingObserver : IPgSessionObserver
{
    private readonly ConcurrentQueue<PgSession> _closed = new();
    private readonly ConcurrentQueue<PgLoginFailure> _failures = new();
    private readonly List<(Func<PgSession, bool> Match, TaskCompletionSource<PgSession> Done)> _closeWaiters = [];
    private readonly List<(Func<PgLoginFailure, bool> Match, TaskCompletionSource<PgLoginFailure> Done)> _failureWaiters = [];
    private readonly ConcurrentDictionary<long, PgSession> _open = new();

    public IReadOnlyCollection<PgSession> Closed => [.. _closed];

    public IReadOnlyCollection<PgLoginFailure> LoginFailures => [.. _failures];

    public IReadOnlyCollection<PgSession> Open => [.. _open.Values];

    public void OnOpened(PgSession session) => _open[session.Id] = session;

    public void OnClosed(PgSession session)
    {
        _open.TryRemove(session.Id, out _);
        _closed.Enqueue(session);
        lock (_closeWaiters)
        {
            foreach (var waiter in _closeWaiters.Where(w => w.Match(session)).ToList())
            {
                waiter.Done.TrySetResult(session);
                _closeWaiters.Remove(waiter);
            }
        }
    }

    public void OnLoginFailed(PgLoginFailure failure)
    {
        _failures.Enqueue(failure);
        lock (_failureWaiters)
        {
            foreach (var waiter in _failureWaiters.Where(w => w.Match(failure)).ToList())
            {
                waiter.Done.TrySetResult(failure);
                _failureWaiters.Remove(waiter);
            }
        }
    }

    /// <summary>Completes when a session matching <paramref name="match"/> has closed (including one that already had).</summary>
    public Task<PgSession> WaitForCloseAsync(Func<PgSession, bool> match, TimeSpan? timeout = null)
    {
        var done = new TaskCompletionSource<PgSession>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_closeWaiters)
        {
            PgSession? already = _closed.FirstOrDefault(match);
            if (already is not null)
            {
                return Task.FromResult(already);
            }

            _closeWaiters.Add((match, done));
        }

        return done.Task.WaitAsync(timeout ?? TimeSpan.FromSeconds(30));
    }

    /// <summary>Completes once at least <paramref name="count"/> sessions have closed.</summary>
    public async Task<IReadOnlyCollection<PgSession>> WaitForClosedCountAsync(int count)
    {
        var seen = new HashSet<long>();
        while (true)
        {
            PgSession next = await WaitForCloseAsync(s => !seen.Contains(s.Id));
            seen.Add(next.Id);
            if (seen.Count >= count)
            {
                return Closed;
            }
        }
    }

    /// <summary>Completes when a login has failed with one of <paramref name="reasons"/> (including one that already had).</summary>
    public Task<PgLoginFailure> WaitForLoginFailureAsync(params CloseReason[] reasons)
    {
        var done = new TaskCompletionSource<PgLoginFailure>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_failureWaiters)
        {
            PgLoginFailure? already = _failures.FirstOrDefault(f => reasons.Contains(f.Reason));
            if (already is not null)
            {
                return Task.FromResult(already);
            }

            _failureWaiters.Add((f => reasons.Contains(f.Reason), done));
        }

        return done.Task.WaitAsync(TimeSpan.FromSeconds(30));
    }
}
