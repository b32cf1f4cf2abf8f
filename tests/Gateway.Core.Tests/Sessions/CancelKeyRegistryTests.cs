using Gateway.Core.Protocol.Postgres;
using Gateway.Core.Sessions;

namespace Gateway.Core.Tests.Sessions;

public sealed class CancelKeyRegistryTests
{
    private readonly SessionFactory _sessions = new();

    [Fact]
    public void TryResolve_RegisteredKey_ReturnsItsSession()
    {
        var registry = new CancelKeyRegistry();
        PgSession session = _sessions.Create();

        CancelKey key = registry.Register(session);

        Assert.True(registry.TryResolve(key, out PgSession? resolved));
        Assert.Same(session, resolved);
        Assert.True(key.ProcessId > 0);
    }

    [Fact]
    public void TryResolve_WrongSecret_ResolvesNothing()
    {
        var registry = new CancelKeyRegistry();
        CancelKey key = registry.Register(_sessions.Create());

        foreach (int secret in new[] { key.SecretKey ^ 1, key.SecretKey ^ int.MinValue, ~key.SecretKey, 0 })
        {
            if (secret == key.SecretKey)
            {
                continue;
            }

            Assert.False(registry.TryResolve(key with { SecretKey = secret }, out PgSession? resolved));
            Assert.Null(resolved);
        }
    }

    [Fact]
    public void TryResolve_UnknownProcessId_ResolvesNothing()
    {
        var registry = new CancelKeyRegistry();
        CancelKey key = registry.Register(_sessions.Create());

        Assert.False(registry.TryResolve(key with { ProcessId = key.ProcessId ^ 1 }, out PgSession? resolved));
        Assert.Null(resolved);
        Assert.False(new CancelKeyRegistry().TryResolve(key, out _));
    }

    [Fact]
    public void TryResolve_AfterUnregister_ResolvesNothing()
    {
        var registry = new CancelKeyRegistry();
        PgSession first = _sessions.Create();
        PgSession second = _sessions.Create();
        CancelKey firstKey = registry.Register(first);
        CancelKey secondKey = registry.Register(second);

        registry.Unregister(firstKey);

        Assert.False(registry.TryResolve(firstKey, out _));
        Assert.True(registry.TryResolve(secondKey, out PgSession? resolved));
        Assert.Same(second, resolved);
        registry.Unregister(firstKey); // a second unregister is harmless
    }

    [Fact]
    public void Register_ManySessions_GivesDistinctKeysEachResolvingToItsOwnSession()
    {
        var registry = new CancelKeyRegistry();
        var sessions = Enumerable.Range(0, 1000).Select(_ => _sessions.Create()).ToArray();

        CancelKey[] keys = [.. sessions.Select(registry.Register)];

        Assert.Equal(keys.Length, keys.Select(k => k.ProcessId).Distinct().Count());
        Assert.All(keys, k => Assert.True(k.ProcessId > 0));
        Assert.True(keys.Select(k => k.SecretKey).Distinct().Count() > 990, "secrets are not random");
        for (int i = 0; i < keys.Length; i++)
        {
            Assert.True(registry.TryResolve(keys[i], out PgSession? resolved));
            Assert.Same(sessions[i], resolved);
        }

        // Another session's secret with this session's process id cancels nothing.
        Assert.False(registry.TryResolve(keys[0] with { SecretKey = keys[1].SecretKey }, out _));
    }

    [Fact]
    public void Register_SameSessionTwice_GivesTwoKeys()
    {
        var registry = new CancelKeyRegistry();
        PgSession session = _sessions.Create();

        CancelKey first = registry.Register(session);
        CancelKey second = registry.Register(session);

        Assert.NotEqual(first, second);
        Assert.True(registry.TryResolve(first, out _));
        Assert.True(registry.TryResolve(second, out _));
    }
}
