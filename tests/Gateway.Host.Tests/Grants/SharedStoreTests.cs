using System.Net.Http.Json;
using Gateway.Core.Transport;
using Gateway.Host.Configuration;
using Gateway.Host.Control;
using Gateway.Host.Tests.Support;
using Gateway.Testing;
using Npgsql;

namespace Gateway.Host.Tests.Grants;

/// <summary>Two gateway instances on one PostgreSQL store: one control plane, enforced everywhere.</summary>
public sealed class SharedStoreTests(PostgresServer postgres)
{
    [Fact]
    public async Task TwoInstances_GrantFromOne_UsableOnTheOtherAndRevokedEverywhere()
    {
        string variable = "GATEWAY_TEST_SHARED_STORE";
        Environment.SetEnvironmentVariable(variable, await StoreDatabase.CreateAsync(postgres));
        var store = new StoreConfiguration { Kind = "postgres", ConnectionString = new SecretReference { Env = variable } };
        await using HostRig east = await HostRig.StartAsync(postgres, store);
        await using HostRig west = await HostRig.StartAsync(postgres, store);

        GrantView grant = await east.RequestAsync(TestIdentities.Agent, duration: "10m");
        GrantView seenInWest = (await west.Api(TestIdentities.Reviewer).GetFromJsonAsync($"/v1/grants/{grant.Id}", ControlJsonContext.Default.GrantView))!;
        await using var onEast = new NpgsqlConnection(east.ConnectionString(grant.Credential!));
        await using var onWest = new NpgsqlConnection(west.ConnectionString(grant.Credential!));
        await onEast.OpenAsync();
        await onWest.OpenAsync();

        var clock = System.Diagnostics.Stopwatch.StartNew();
        await east.PostAsync(TestIdentities.Admin, $"/v1/grants/{grant.Id}/revoke", "incident");
        var eastClosed = await east.Observer.WaitForCloseAsync(_ => true);
        var westClosed = await west.Observer.WaitForCloseAsync(_ => true);

        Assert.Equal("active", seenInWest.Status);
        Assert.Equal(CloseReason.GrantRevoked, eastClosed.CloseReason);
        Assert.Equal(CloseReason.GrantRevoked, westClosed.CloseReason);
        Assert.InRange(clock.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(1));
        await using var again = new NpgsqlConnection(west.ConnectionString(grant.Credential!));
        Assert.Equal("28P01", (await Assert.ThrowsAsync<PostgresException>(() => again.OpenAsync())).SqlState);
    }
}
