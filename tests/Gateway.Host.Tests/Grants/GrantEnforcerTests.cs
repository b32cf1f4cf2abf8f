using Gateway.Host.Grants;
using Gateway.Host.Storage;
using Gateway.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.Host.Tests.Grants;

/// <summary>Expiry bookkeeping on a fake clock: one timer for all grants, each marked expired at its end, and restarts keep expiries.</summary>
public sealed class GrantEnforcerTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Start = new(2026, 12, 4, 12, 0, 0, TimeSpan.Zero);
    private readonly FakeTimeProvider _time = new(Start);
    private readonly TempDirectory _directory = TempDirectory.Create("gateway-enforcer-");
    private SqliteControlStore _store = null!;

    public async ValueTask InitializeAsync()
    {
        _store = new SqliteControlStore(Path.Combine(_directory.Path, "gateway.db"));
        await _store.InitializeAsync(CancellationToken.None);
    }

    public async ValueTask DisposeAsync()
    {
        await _store.DisposeAsync();
        _directory.Dispose();
    }

    [Fact]
    public async Task Expiry_ManyGrants_EachMarkedExpiredWhenItsWindowEndsAndNotBefore()
    {
        const int Count = 400;
        await using var enforcer = new GrantEnforcer(_store, _time, NullLogger<GrantEnforcer>.Instance, watchInterval: null);
        for (int i = 0; i < Count; i++)
        {
            Grant grant = Approved($"g_many{i:D8}", expiresAfter: TimeSpan.FromSeconds(10 + (i % 100)));
            await _store.InsertGrantAsync(grant with { Version = 1 }, CancellationToken.None);
            enforcer.Schedule(grant with { Version = 1 });
        }

        await AdvanceAsync(enforcer, TimeSpan.FromSeconds(9));
        Assert.Equal(Count, await CountAsync(GrantStatus.Approved));

        await AdvanceAsync(enforcer, TimeSpan.FromSeconds(50));
        Assert.Equal(Count / 2, await CountAsync(GrantStatus.Expired));

        await AdvanceAsync(enforcer, TimeSpan.FromSeconds(60));
        Assert.Equal(Count, await CountAsync(GrantStatus.Expired));
        Grant sample = (await _store.GetGrantAsync("g_many00000042", CancellationToken.None))!;
        Assert.Equal(Start.AddSeconds(52), sample.EndedAt);
        Assert.Equal("gateway", sample.EndedBy);
    }

    [Fact]
    public async Task Load_AfterRestart_SchedulesStoredGrantsWithTheirOriginalExpiry()
    {
        Grant grant = Approved("g_restart00001", expiresAfter: TimeSpan.FromMinutes(5));
        await _store.InsertGrantAsync(grant with { Version = 1 }, CancellationToken.None);
        await using var restarted = new GrantEnforcer(_store, _time, NullLogger<GrantEnforcer>.Instance, watchInterval: null);

        await restarted.LoadAsync(CancellationToken.None);
        await AdvanceAsync(restarted, TimeSpan.FromMinutes(4));
        Assert.Equal(GrantStatus.Approved, (await _store.GetGrantAsync(grant.Id, CancellationToken.None))!.Status);
        await AdvanceAsync(restarted, TimeSpan.FromMinutes(1));

        Assert.Equal(GrantStatus.Expired, (await _store.GetGrantAsync(grant.Id, CancellationToken.None))!.Status);
    }

    [Fact]
    public async Task Expiry_GrantRevokedMeanwhile_IsLeftRevoked()
    {
        Grant grant = Approved("g_revoked00001", expiresAfter: TimeSpan.FromMinutes(5));
        await _store.InsertGrantAsync(grant with { Version = 1 }, CancellationToken.None);
        await using var enforcer = new GrantEnforcer(_store, _time, NullLogger<GrantEnforcer>.Instance, watchInterval: null);
        enforcer.Schedule(grant);
        Grant stored = (await _store.GetGrantAsync(grant.Id, CancellationToken.None))!;
        Assert.True(await _store.UpdateGrantAsync(GrantLifecycle.Revoke(stored, "r1", "done", _time.GetUtcNow()), CancellationToken.None));

        await AdvanceAsync(enforcer, TimeSpan.FromMinutes(6));

        Assert.Equal(GrantStatus.Revoked, (await _store.GetGrantAsync(grant.Id, CancellationToken.None))!.Status);
    }

    private async Task AdvanceAsync(GrantEnforcer enforcer, TimeSpan by)
    {
        // Advance in small steps so that the single timer is re-armed for each next expiry, as it would be in real time.
        for (TimeSpan step = TimeSpan.FromSeconds(1); by > TimeSpan.Zero; by -= step)
        {
            _time.Advance(by < step ? by : step);
            await enforcer.Expiring;
        }
    }

    private async Task<int> CountAsync(GrantStatus status)
        => (await _store.ListGrantsAsync(new GrantQuery(Status: status, Limit: 10_000), CancellationToken.None)).Count;

    private static Grant Approved(string id, TimeSpan expiresAfter) => new()
    {
        Id = id,
        Agent = "agent-1",
        Target = "shop",
        Scope = "read",
        Access = "read",
        Task = "t",
        Duration = expiresAfter,
        Policy = "read-auto",
        RequestedAt = Start,
        Status = GrantStatus.Approved,
        ApprovedAt = Start,
        ExpiresAt = Start + expiresAfter,
        Version = 1,
    };
}
