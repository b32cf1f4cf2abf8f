using System.Collections.Concurrent;
using Gateway.Core.Sessions;
using Gateway.Core.Transport;

namespace Gateway.Testing;

/// <summary>Records session events and lets a test await them instead of sleeping.</summary>
public sealed class RecordingObserver : IPgSessionObserver
{
    private readonly ConcurrentQueue<PgSession> _closed = new();
    private readonly ConcurrentQueue<(string? Identity, CloseReason Reason, string Detail)> _refused = new();
    private readonly List<(Func<PgSession, bool> Match, TaskCompletionSource<PgSession> Done)> _closeWaiters = [];
    private readonly List<(Func<CloseReason, bool> Match, TaskCompletionSource<(string?, CloseReason, string)> Done)> _refuseWaiters = [];
    private readonly ConcurrentDictionary<long, PgSession> _open = new();

    public IReadOnlyCollection<PgSession> Closed => [.. _closed];

    public IReadOnlyCollection<(string? Identity, CloseReason Reason, string Detail)> Refused => [.. _refused];

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

    public void OnRefused(PgStartupContext startup, string? identity, CloseReason reason, string detail)
    {
        _refused.Enqueue((identity, reason, detail));
        lock (_refuseWaiters)
        {
            foreach (var waiter in _refuseWaiters.Where(w => w.Match(reason)).ToList())
            {
                waiter.Done.TrySetResult((identity, reason, detail));
                _refuseWaiters.Remove(waiter);
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

    public Task<(string? Identity, CloseReason Reason, string Detail)> WaitForRefusalAsync(CloseReason reason, TimeSpan? timeout = null)
    {
        var done = new TaskCompletionSource<(string?, CloseReason, string)>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_refuseWaiters)
        {
            var already = _refused.FirstOrDefault(r => r.Reason == reason);
            if (already != default)
            {
                return Task.FromResult(already);
            }

            _refuseWaiters.Add((r => r == reason, done));
        }

        return done.Task.WaitAsync(timeout ?? TimeSpan.FromSeconds(30));
    }
}
