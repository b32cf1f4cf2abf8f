using Gateway.Testing;

namespace Gateway.Core.IntegrationTests.Clients;

/// <summary>pgbench -S for 10 s through the gateway: zero failed transactions. Throughput is measured by bench/, not here.</summary>
public sealed class PgbenchTests(PostgresServer postgres)
{
    [Fact]
    public async Task Pgbench_SelectOnly_TenSecondsWithoutFailures()
    {
        await using GatewayRig rig = GatewayRig.Start(postgres);
        string pgbench = Path.Combine(postgres.BinDirectory, "pgbench");
        var upstream = new Dictionary<string, string> { ["PGPASSWORD"] = PostgresServer.AppPassword };
        await ProcessRunner.RunCheckedAsync(pgbench,
            ["-i", "-s", "1", "-q", $"host=127.0.0.1 port={postgres.Port} user={PostgresServer.AppUser} dbname={PostgresServer.Database}"], upstream);

        var agent = new Dictionary<string, string> { ["PGPASSWORD"] = GatewayRig.AgentSecret };
        string output = await ProcessRunner.RunCheckedAsync(pgbench,
            ["-n", "-S", "-M", "prepared", "-c", "4", "-j", "2", "-T", "10", $"host=127.0.0.1 port={rig.Port} user={GatewayRig.Agent} dbname={GatewayRig.Target}"], agent);

        Assert.Contains("number of failed transactions: 0 (0.000%)", output, StringComparison.Ordinal);
        Assert.Matches(@"number of transactions actually processed: [1-9]\d*", output);
        // pgbench opens one more connection than clients to look at the schema.
        var closed = await rig.Observer.WaitForClosedCountAsync(5);
        Assert.All(closed, session => Assert.Equal(Gateway.Core.Transport.CloseReason.ClientTerminate, session.CloseReason));
        Assert.Empty(rig.Observer.LoginFailures);
    }
}
