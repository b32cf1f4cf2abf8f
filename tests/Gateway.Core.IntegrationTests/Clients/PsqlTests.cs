using System.Net.Security;
using Gateway.Core.Configuration;
using Gateway.Testing;

namespace Gateway.Core.IntegrationTests.Clients;

/// <summary>psql, libpq's own client, through the gateway over TLS: queries, \copy both ways, and refusals.</summary>
public sealed class PsqlTests(PostgresServer postgres) : IAsyncLifetime
{
    private GatewayRig _rig = null!;

    public ValueTask InitializeAsync()
    {
        _rig = GatewayRig.Start(postgres, listener: new PgListenerOptions
        {
            Tls = new SslServerAuthenticationOptions { ServerCertificate = postgres.Certificates.Server },
            RequireTls = true,
        });
        return ValueTask.CompletedTask;
    }

    public ValueTask DisposeAsync() => _rig.DisposeAsync();

    [Fact]
    public async Task Psql_SslModeRequire_RunsQueryOverTls()
    {
        (int exitCode, string output) = await PsqlAsync("sslmode=require", "SELECT 'through the gateway', current_user");
        Assert.Equal(0, exitCode);
        Assert.Equal($"through the gateway|{PostgresServer.AppUser}", output.Trim());
        Assert.True((await _rig.Observer.WaitForCloseAsync(_ => true)).IsTls);
    }

    [Fact]
    public async Task Psql_SslModeVerifyFull_ChecksTheGatewayCertificate()
    {
        (int exitCode, string output) = await PsqlAsync($"sslmode=verify-full sslrootcert={postgres.Certificates.AuthorityPemPath}", "SELECT 1", host: "localhost");
        Assert.Equal(0, exitCode);
        Assert.Equal("1", output.Trim());
    }

    [Fact]
    public async Task Psql_CopyInAndOut_RoundTripsAFile()
    {
        await postgres.ExecuteAsync("DROP TABLE IF EXISTS psql_copy; CREATE TABLE psql_copy (id int, note text); GRANT ALL ON psql_copy TO gw_app");
        using TempDirectory directory = TempDirectory.Create("gateway-psql-");
        string input = Path.Combine(directory.Path, "in.csv");
        string output = Path.Combine(directory.Path, "out.csv");
        await File.WriteAllLinesAsync(input, Enumerable.Range(1, 500).Select(i => $"{i},\"note, number {i}\""));

        (int copyIn, string inOutput) = await PsqlAsync("sslmode=require", $"\\copy psql_copy FROM '{input}' WITH (FORMAT csv)");
        Assert.True(copyIn == 0, inOutput);
        (int copyOut, string outOutput) = await PsqlAsync("sslmode=require", $"\\copy (SELECT * FROM psql_copy ORDER BY id) TO '{output}' WITH (FORMAT csv)");
        Assert.True(copyOut == 0, outOutput);
        Assert.Equal(await File.ReadAllLinesAsync(input), await File.ReadAllLinesAsync(output));
    }

    [Fact]
    public async Task Psql_WrongPassword_Gets28P01Message()
    {
        (int exitCode, string output) = await PsqlAsync("sslmode=require", "SELECT 1", password: "wrong");
        Assert.NotEqual(0, exitCode);
        Assert.Contains($"password authentication failed for user \"{GatewayRig.Agent}\"", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Psql_SslModeDisable_RefusedBecauseListenerRequiresTls()
    {
        (int exitCode, string output) = await PsqlAsync("sslmode=disable", "SELECT 1");
        Assert.NotEqual(0, exitCode);
        Assert.Contains("requires TLS", output, StringComparison.Ordinal);
    }

    private Task<(int ExitCode, string Output)> PsqlAsync(string ssl, string command, string host = "127.0.0.1", string password = GatewayRig.AgentSecret)
        => ProcessRunner.RunAsync(Path.Combine(postgres.BinDirectory, "psql"),
            [$"host={host} port={_rig.Port} user={GatewayRig.Agent} dbname={GatewayRig.Target} {ssl}", "-X", "-At", "-v", "ON_ERROR_STOP=1", "-c", command],
            new Dictionary<string, string> { ["PGPASSWORD"] = password, ["PGCONNECT_TIMEOUT"] = "10" });
}
