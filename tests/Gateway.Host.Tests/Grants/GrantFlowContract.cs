using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using Gateway.Core.Sessions;
using Gateway.Core.Transport;
using Gateway.Host.Configuration;
using Gateway.Host.Control;
using Gateway.Host.Tests.Support;
using Gateway.Testing;
using Microsoft.Extensions.Time.Testing;
using Npgsql;

namespace Gateway.Host.Tests.Grants;

/// <summary>
/// Grants end to end, through the control API and a real PostgreSQL: the same suite runs on the SQLite and the
/// PostgreSQL store.
/// </summary>
public abstract class GrantFlowContract(PostgresServer postgres)
{
    [Fact]
    public async Task Grant_RequestedAndApprovedByPolicy_AgentConnectsAsTheScopeRole()
    {
        await using HostRig rig = await StartAsync();
        GrantView grant = await rig.RequestAsync(TestIdentities.Agent);

        Assert.Equal("active", grant.Status);
        Assert.Equal("policy:read-auto", Assert.Single(grant.Decisions).By);
        await using NpgsqlConnection connection = await rig.ConnectAsync(grant.Credential!);
        await using var command = new NpgsqlCommand("SELECT current_user", connection);
        Assert.Equal(PostgresServer.AppUser, await command.ExecuteScalarAsync());
        PgSession session = Assert.Single(rig.Gateway.Sessions);
        Assert.Equal(TestIdentities.Agent, session.Identity);
        Assert.Equal(grant.ExpiresAt, session.Deadline);
    }

    [Fact]
    public async Task Grant_NeedingAReviewer_AgentWaitsAndGetsTheCredentialOnApproval()
    {
        await using HostRig rig = await StartAsync();
        Task<GrantView> waiting = rig.RequestAsync(TestIdentities.Agent, scope: "write", duration: "15m", wait: 30);
        GrantView pending = await PendingAsync(rig);

        GrantView approved = await rig.PostAsync(TestIdentities.Reviewer, $"/v1/grants/{pending.Id}/approve", "ticket checked");

        Assert.Equal("active", approved.Status);
        Assert.Null(approved.Credential);
        GrantView delivered = await waiting.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(pending.Id, delivered.Id);
        Assert.Equal(TestIdentities.Reviewer, Assert.Single(delivered.Decisions).By);
        await using NpgsqlConnection connection = await rig.ConnectAsync(delivered.Credential!);
        Assert.Equal(System.Data.ConnectionState.Open, connection.State);
    }

    [Fact]
    public async Task Grant_NeedingTwoReviewers_ActiveOnlyAfterTheSecond()
    {
        await using HostRig rig = await StartAsync();
        GrantView requested = await rig.RequestAsync(TestIdentities.Agent, scope: "pair");

        GrantView once = await rig.PostAsync(TestIdentities.Reviewer, $"/v1/grants/{requested.Id}/approve");
        HttpResponseMessage again = await rig.Api(TestIdentities.Reviewer).PostAsJsonAsync($"/v1/grants/{requested.Id}/approve", new ReasonBody("x"), ControlJsonContext.Default.ReasonBody);
        GrantView twice = await rig.PostAsync(TestIdentities.OtherReviewer, $"/v1/grants/{requested.Id}/approve");

        Assert.Equal("requested", once.Status);
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Equal("active", twice.Status);
    }

    [Fact]
    public async Task Grant_ApprovedByItsRequester_IsRefused()
    {
        await using HostRig rig = await StartAsync();
        GrantView requested = await rig.RequestAsync(TestIdentities.Agent, scope: "write");

        HttpResponseMessage response = await rig.Api(TestIdentities.Agent).PostAsJsonAsync($"/v1/grants/{requested.Id}/approve", new ReasonBody("mine"), ControlJsonContext.Default.ReasonBody);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Connection_EveryWayOfBeingWrong_RefusedIdenticallyAndRecordedWithTheReason()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using HostRig rig = await StartAsync(time);
        GrantView mine = await rig.RequestAsync(TestIdentities.Agent, duration: "10m");
        GrantView other = await rig.RequestAsync(TestIdentities.OtherAgent, duration: "10m");
        GrantView unissued = await RequestWithoutCredentialAsync(rig);
        GrantView toRevoke = await rig.RequestAsync(TestIdentities.Agent);
        await rig.PostAsync(TestIdentities.Admin, $"/v1/grants/{toRevoke.Id}/revoke", "no longer needed");
        GrantView toDeny = await rig.RequestAsync(TestIdentities.Agent, scope: "write");
        await rig.PostAsync(TestIdentities.Reviewer, $"/v1/grants/{toDeny.Id}/deny", "no ticket");

        var attempts = new (string Case, string ConnectionString)[]
        {
            ("wrong secret", rig.ConnectionString(mine.Credential!, password: "wrong")),
            ("unknown grant", rig.ConnectionString(mine.Credential!, user: "g_doesnotexist")),
            ("another agent's credential", rig.ConnectionString(mine.Credential!, user: other.Credential!.User)),
            ("other database", rig.ConnectionString(mine.Credential!, database: "postgres")),
            ("credential never issued", rig.ConnectionString(mine.Credential!, user: unissued.Id)),
            ("revoked", rig.ConnectionString(toRevoke.Credential!)),
            ("denied", rig.ConnectionString(mine.Credential!, user: toDeny.Id)),
        };
        var messages = new HashSet<string>();
        foreach ((string name, string connectionString) in attempts)
        {
            PostgresException refused = await Assert.ThrowsAsync<PostgresException>(async () =>
            {
                await using var connection = new NpgsqlConnection(connectionString);
                await connection.OpenAsync();
            });
            Assert.True(refused.SqlState == "28P01", name);
            messages.Add(refused.MessageText.Replace(new NpgsqlConnectionStringBuilder(connectionString).Username!, "<user>", StringComparison.Ordinal));
        }

        time.Advance(TimeSpan.FromMinutes(11));
        PostgresException expired = await Assert.ThrowsAsync<PostgresException>(async () =>
        {
            await using var connection = new NpgsqlConnection(rig.ConnectionString(mine.Credential!));
            await connection.OpenAsync();
        });
        messages.Add(expired.MessageText.Replace(mine.Credential!.User, "<user>", StringComparison.Ordinal));

        Assert.Equal(["password authentication failed for user \"<user>\""], messages);
        // The client saw one message; the record says what really happened. (Npgsql retries a failed login once,
        // so each attempt may be recorded twice.)
        HashSet<string> recorded = [.. rig.Observer.LoginFailures.Select(f => $"{f.Startup?.User}: {f.Detail}")];
        Assert.Equal(
            new HashSet<string>
            {
                $"{mine.Id}: client proof does not match the stored verifier",
                "g_doesnotexist: no such user or grant",
                $"{other.Id}: client proof does not match the stored verifier",
                $"{mine.Id}: grant {mine.Id} is for target shop, not \"postgres\"",
                $"{unissued.Id}: no such user or grant",
                $"{toRevoke.Id}: grant {toRevoke.Id} is revoked",
                $"{toDeny.Id}: no such user or grant",
                $"{mine.Id}: grant {mine.Id} is expired",
            },
            recorded);
        Assert.Empty(rig.Observer.Closed);
    }

    [Fact]
    public async Task Expiry_DuringPgSleep_EndsTheSessionWithinOneSecondNamingTheGrant()
    {
        await using HostRig rig = await StartAsync();
        GrantView grant = await rig.RequestAsync(TestIdentities.Agent, duration: "3s");
        await using NpgsqlConnection connection = await rig.ConnectAsync(grant.Credential!);
        string query = $"SELECT pg_sleep(30) -- {grant.Id}";
        await using var sleep = new NpgsqlCommand(query, connection);

        PostgresException ended = await Assert.ThrowsAsync<PostgresException>(() => sleep.ExecuteNonQueryAsync());
        DateTimeOffset endedAt = DateTimeOffset.UtcNow;

        TimeSpan late = endedAt - grant.ExpiresAt!.Value;
        Assert.InRange(late, TimeSpan.FromMilliseconds(-50), TimeSpan.FromSeconds(1));
        Assert.Equal("FATAL", ended.Severity);
        Assert.Contains($"grant {grant.Id} expired", ended.MessageText, StringComparison.Ordinal);
        PgSession session = await rig.Observer.WaitForCloseAsync(_ => true);
        Assert.Equal(CloseReason.GrantExpired, session.CloseReason);
        await AssertQueryGoneAsync(query);
    }

    [Fact]
    public async Task Revocation_DuringPgSleep_EndsTheSessionWithinOneSecond()
    {
        await using HostRig rig = await StartAsync();
        GrantView grant = await rig.RequestAsync(TestIdentities.Agent, duration: "10m");
        await using NpgsqlConnection connection = await rig.ConnectAsync(grant.Credential!);
        string query = $"SELECT pg_sleep(30) -- {grant.Id}";
        await using var sleep = new NpgsqlCommand(query, connection);
        Task running = sleep.ExecuteNonQueryAsync();
        await WaitActiveAsync(query);

        var clock = Stopwatch.StartNew();
        await rig.PostAsync(TestIdentities.Admin, $"/v1/grants/{grant.Id}/revoke", "incident");
        PostgresException ended = await Assert.ThrowsAsync<PostgresException>(() => running);

        Assert.InRange(clock.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(1));
        Assert.Contains($"grant {grant.Id} was revoked by {TestIdentities.Admin}", ended.MessageText, StringComparison.Ordinal);
        Assert.Equal(CloseReason.GrantRevoked, (await rig.Observer.WaitForCloseAsync(_ => true)).CloseReason);
        await AssertQueryGoneAsync(query);
    }

    [Fact]
    public async Task Restart_ActiveGrant_StillWorksWithItsOriginalExpiry()
    {
        StoreConfiguration store = await CreateStoreAsync();
        GrantView grant;
        await using (HostRig first = await HostRig.StartAsync(postgres, store))
        {
            grant = await first.RequestAsync(TestIdentities.Agent, duration: "20m");
        }

        await using HostRig second = await HostRig.StartAsync(postgres, store);
        GrantView shown = await second.Api(TestIdentities.Agent).GetFromJsonAsync($"/v1/grants/{grant.Id}", ControlJsonContext.Default.GrantView)
            ?? throw new InvalidOperationException();
        Assert.Equal(grant.ExpiresAt, shown.ExpiresAt);
        Assert.Equal("active", shown.Status);
        await using NpgsqlConnection connection = await second.ConnectAsync(grant.Credential!);
        Assert.Equal(grant.ExpiresAt, Assert.Single(second.Gateway.Sessions).Deadline);
    }

    [Fact]
    public async Task Api_Responses_NeverCarryTheUpstreamCredential()
    {
        await using HostRig rig = await StartAsync();
        GrantView grant = await rig.RequestAsync(TestIdentities.Agent);
        var bodies = new List<string>
        {
            await rig.Api(TestIdentities.Agent).GetStringAsync($"/v1/grants/{grant.Id}"),
            await rig.Api(TestIdentities.Agent).GetStringAsync("/v1/grants"),
            await rig.Api(TestIdentities.Admin).GetStringAsync("/v1/grants"),
            await rig.Api(TestIdentities.Admin).GetStringAsync("/v1/identities"),
            System.Text.Json.JsonSerializer.Serialize(grant, ControlJsonContext.Default.GrantView),
        };

        Assert.All(bodies, body =>
        {
            Assert.DoesNotContain(PostgresServer.AppPassword, body, StringComparison.Ordinal);
            Assert.DoesNotContain(PostgresServer.AppUser, body, StringComparison.Ordinal);
            Assert.DoesNotContain("SCRAM-SHA-256$", body, StringComparison.Ordinal);
        });
    }

    internal abstract Task<StoreConfiguration> CreateStoreAsync();

    private async Task<HostRig> StartAsync(TimeProvider? time = null) => await HostRig.StartAsync(postgres, await CreateStoreAsync(), time);

    private static async Task<GrantView> PendingAsync(HostRig rig)
    {
        for (int i = 0; i < 200; i++)
        {
            List<GrantView>? pending = await rig.Api(TestIdentities.Reviewer).GetFromJsonAsync("/v1/grants?status=requested", ControlJsonContext.Default.ListGrantView);
            if (pending is { Count: > 0 })
            {
                return pending[0];
            }

            await Task.Delay(10);
        }

        throw new TimeoutException("the request never arrived");
    }

    private static async Task<GrantView> RequestWithoutCredentialAsync(HostRig rig)
    {
        HttpResponseMessage response = await rig.Api(TestIdentities.Agent).PostAsJsonAsync("/v1/grants",
            new GrantRequestBody(TestConfiguration.Target, "read", "10m", "no credential yet", null, 0, IssueCredential: false), ControlJsonContext.Default.GrantRequestBody);
        GrantView grant = (await response.Content.ReadFromJsonAsync(ControlJsonContext.Default.GrantView))!;
        Assert.Null(grant.Credential);
        return grant;
    }

    private async Task WaitActiveAsync(string query)
    {
        for (int i = 0; i < 500 && await CountAsync(query) == 0; i++)
        {
            await Task.Delay(10);
        }
    }

    private async Task AssertQueryGoneAsync(string query)
    {
        for (int i = 0; i < 100 && await CountAsync(query) > 0; i++)
        {
            await Task.Delay(10);
        }

        Assert.Equal(0, await CountAsync(query));
    }

    private async Task<long> CountAsync(string query)
    {
        await using var admin = new NpgsqlConnection(postgres.AdminConnectionString);
        await admin.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT count(*) FROM pg_stat_activity WHERE query = $1 AND state = 'active'", admin);
        command.Parameters.AddWithValue(query);
        return (long)(await command.ExecuteScalarAsync())!;
    }
}

public sealed class SqliteGrantFlowTests(PostgresServer postgres) : GrantFlowContract(postgres), IDisposable
{
    /// <summary>The test's stores; the hosts on them are disposed by the test itself, before this.</summary>
    private readonly List<TempDirectory> _directories = [];

    internal override Task<StoreConfiguration> CreateStoreAsync()
    {
        var directory = TempDirectory.Create("gateway-grants-");
        _directories.Add(directory);
        return Task.FromResult(new StoreConfiguration { Kind = "sqlite", Path = Path.Combine(directory.Path, "gateway.db") });
    }

    public void Dispose()
    {
        foreach (TempDirectory directory in _directories)
        {
            directory.Dispose();
        }
    }
}

public sealed class PostgresGrantFlowTests(PostgresServer postgres) : GrantFlowContract(postgres)
{
    private readonly PostgresServer _postgres = postgres;

    internal override async Task<StoreConfiguration> CreateStoreAsync()
    {
        string connectionString = await StoreDatabase.CreateAsync(_postgres);
        string variable = "GATEWAY_TEST_STORE_" + Guid.NewGuid().ToString("N");
        Environment.SetEnvironmentVariable(variable, connectionString);
        return new StoreConfiguration { Kind = "postgres", ConnectionString = new SecretReference { Env = variable } };
    }
}
