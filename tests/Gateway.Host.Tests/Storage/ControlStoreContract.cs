using Gateway.Host.Audit;
using Gateway.Host.Grants;
using Gateway.Host.Identities;
using Gateway.Host.Storage;

namespace Gateway.Host.Tests.Storage;

/// <summary>The behaviour every <see cref="IControlStore"/> must have; run against SQLite and PostgreSQL.</summary>
public abstract class ControlStoreContract : IAsyncLifetime
{
    private static readonly DateTimeOffset Start = new(2026, 12, 4, 9, 0, 0, TimeSpan.Zero);

    internal IControlStore Store { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        Store = await CreateStoreAsync();
        await Store.InitializeAsync(CancellationToken.None);
        await Store.InitializeAsync(CancellationToken.None);
    }

    public virtual async ValueTask DisposeAsync()
    {
        await Store.DisposeAsync();
        GC.SuppressFinalize(this);
    }

    [Fact]
    public async Task Grant_InsertedThenRead_RoundTripsEveryField()
    {
        Grant grant = NewGrant("g_roundtrip1") with
        {
            Tables = ["public.orders", "public.customers"],
            Justification = "ticket 42 ünïcödé",
            Decisions = [new GrantDecision("r1", true, Start, "ok")],
        };
        await Store.InsertGrantAsync(grant, CancellationToken.None);

        Grant read = (await Store.GetGrantAsync(grant.Id, CancellationToken.None))!;

        Assert.Equal(grant.Tables, read.Tables);
        Assert.Equal(grant.Justification, read.Justification);
        Assert.Equal(grant.Decisions, read.Decisions);
        Assert.Equal(grant with { Tables = read.Tables, Decisions = read.Decisions }, read);
        Assert.Null(await Store.GetGrantAsync("g_missing", CancellationToken.None));
    }

    [Fact]
    public async Task AuditSession_UpsertedAtOpenAndClose_KeepsTheCloseAndIsFoundByAgentTargetGrantAndTime()
    {
        string id = "s_" + Guid.NewGuid().ToString("N")[..16];
        var opened = new AuditSession
        {
            Id = id, LogId = "log-1", GrantId = "g_" + id[2..14], Agent = "agent-" + id, Target = "shop", Scope = "read", Access = "read", StartedAt = Start,
        };
        await Store.UpsertAuditSessionAsync(opened, CancellationToken.None);
        await Store.UpsertAuditSessionAsync(
            opened with
            {
                EndedAt = Start.AddMinutes(5), EndReason = "GrantExpired", Statements = 3,
                MaskedByRule = new Dictionary<string, long> { ["public.customers.email"] = 2 },
            },
            CancellationToken.None);

        AuditSession read = (await Store.GetAuditSessionAsync(id, CancellationToken.None))!;
        Assert.Equal(("GrantExpired", 3L, 2L), (read.EndReason, read.Statements, read.MaskedByRule["public.customers.email"]));
        Assert.Single(await Store.ListAuditSessionsAsync(new AuditSessionQuery(opened.Agent, "shop", null, Start, Start.AddHours(1), 10), CancellationToken.None));
        Assert.Single(await Store.ListAuditSessionsAsync(new AuditSessionQuery(null, null, opened.GrantId, null, null, 10), CancellationToken.None));
        Assert.Empty(await Store.ListAuditSessionsAsync(new AuditSessionQuery(opened.Agent, null, null, Start.AddMinutes(1), null, 10), CancellationToken.None));
        Assert.Null(await Store.GetAuditSessionAsync("s_missing", CancellationToken.None));
    }

    [Fact]
    public async Task AuditRecords_IndexedTwice_AreKeptOnceInChainOrder()
    {
        string log = Guid.NewGuid().ToString("N");
        string grant = "g_" + log[..12];
        AuditIndexRecord[] records =
        [
            new(log, 1, Start, "grant.requested", "agent-1", grant, null, "{\"seq\":1}"),
            new(log, 2, Start.AddSeconds(1), "session.opened", "agent-1", grant, "s_" + log[..16], "{\"seq\":2}"),
        ];
        await Store.InsertAuditRecordsAsync(records, CancellationToken.None);
        await Store.InsertAuditRecordsAsync(records, CancellationToken.None);

        Assert.Equal(records, await Store.ListAuditRecordsAsync(grant, null, CancellationToken.None));
        Assert.Equal(records[1], Assert.Single(await Store.ListAuditRecordsAsync(null, "s_" + log[..16], CancellationToken.None)));
    }

    [Fact]
    public async Task Grant_UpdatedFromAStaleVersion_IsRefused()
    {
        Grant grant = NewGrant("g_versions01");
        await Store.InsertGrantAsync(grant, CancellationToken.None);
        Grant approved = grant with { Status = GrantStatus.Approved, ApprovedAt = Start, ExpiresAt = Start.AddHours(1), Version = 2 };
        Grant denied = grant with { Status = GrantStatus.Denied, Version = 2 };

        Assert.True(await Store.UpdateGrantAsync(approved, CancellationToken.None));
        Assert.False(await Store.UpdateGrantAsync(denied, CancellationToken.None));
        Assert.False(await Store.UpdateGrantAsync(approved with { Version = 5 }, CancellationToken.None));
        Assert.Equal(GrantStatus.Approved, (await Store.GetGrantAsync(grant.Id, CancellationToken.None))!.Status);
    }

    [Fact]
    public async Task Grants_Listed_FilterByAgentTargetStatusAndTime_NewestFirst()
    {
        for (int i = 0; i < 6; i++)
        {
            await Store.InsertGrantAsync(NewGrant($"g_list{i:D8}") with
            {
                Agent = i % 2 == 0 ? "even" : "odd",
                Target = i < 3 ? "shop" : "crm",
                RequestedAt = Start.AddMinutes(i),
                Status = i == 5 ? GrantStatus.Denied : GrantStatus.Requested,
            }, CancellationToken.None);
        }

        Assert.Equal(["g_list00000004", "g_list00000002", "g_list00000000"],
            (await Store.ListGrantsAsync(new GrantQuery(Agent: "even"), CancellationToken.None)).Select(g => g.Id));
        Assert.Equal(["g_list00000005", "g_list00000004", "g_list00000003"],
            (await Store.ListGrantsAsync(new GrantQuery(Target: "crm"), CancellationToken.None)).Select(g => g.Id));
        Assert.Equal(["g_list00000005"], (await Store.ListGrantsAsync(new GrantQuery(Status: GrantStatus.Denied), CancellationToken.None)).Select(g => g.Id));
        Assert.Equal(["g_list00000003", "g_list00000002"],
            (await Store.ListGrantsAsync(new GrantQuery(From: Start.AddMinutes(2), To: Start.AddMinutes(4)), CancellationToken.None)).Select(g => g.Id));
        Assert.Equal(2, (await Store.ListGrantsAsync(new GrantQuery(Limit: 2), CancellationToken.None)).Count);
    }

    [Fact]
    public async Task Grants_ByIds_ReturnsThoseThatExist()
    {
        await Store.InsertGrantAsync(NewGrant("g_byids000001"), CancellationToken.None);
        await Store.InsertGrantAsync(NewGrant("g_byids000002"), CancellationToken.None);

        IReadOnlyList<Grant> found = await Store.GetGrantsAsync(["g_byids000001", "g_byids000002", "g_nothere"], CancellationToken.None);

        Assert.Equal(["g_byids000001", "g_byids000002"], found.Select(g => g.Id).Order());
    }

    [Fact]
    public async Task Identities_InsertedOnceUpdatedAndListed()
    {
        var identity = new Identity { Name = "bot-7", Kind = IdentityKind.Agent, ApiKeyHash = ApiKey.Hash(ApiKey.Create()), Source = "api:admin" };

        Assert.True(await Store.InsertIdentityAsync(identity, CancellationToken.None));
        Assert.False(await Store.InsertIdentityAsync(identity with { Kind = IdentityKind.Admin }, CancellationToken.None));
        await Store.UpdateIdentityAsync(identity with { Disabled = true }, CancellationToken.None);

        Identity stored = Assert.Single(await Store.ListIdentitiesAsync(CancellationToken.None));
        Assert.Equal(IdentityKind.Agent, stored.Kind);
        Assert.True(stored.Disabled);
    }

    [Fact]
    public async Task Grant_TextWithQuotesAndSql_IsStoredAsData()
    {
        Grant grant = NewGrant("g_injection01") with { Task = "'); DROP TABLE gateway_grants; --", Justification = "\"quoted\" \\ backslash \u2028 \0 nul" };
        await Store.InsertGrantAsync(grant, CancellationToken.None);

        Grant read = (await Store.GetGrantAsync(grant.Id, CancellationToken.None))!;

        Assert.Equal(grant.Task, read.Task);
        Assert.Equal(grant.Justification, read.Justification);
    }

    internal abstract Task<IControlStore> CreateStoreAsync();

    private static Grant NewGrant(string id) => new()
    {
        Id = id,
        Agent = "agent-1",
        Target = "shop",
        Scope = "read",
        Access = "read",
        Task = "task",
        Duration = TimeSpan.FromMinutes(30),
        Policy = "p",
        RequestedAt = Start,
        Version = 1,
    };
}
