using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Gateway.Core.Authentication;
using Gateway.Core.Configuration;
using Gateway.Core.Sessions;
using Gateway.Core.Transport;
using Gateway.Testing;
using Npgsql;

namespace Gateway.Core.IntegrationTests.Sessions;

/// <summary>How the gateway logs in upstream: every method, TLS modes, and servers that misbehave (PROTO-02/03/04).</summary>
public sealed class UpstreamLoginTests(PostgresServer postgres)
{
    [Theory]
    [InlineData(PostgresServer.AppUser, false)]
    [InlineData(PostgresServer.Md5User, false)]
    [InlineData(PostgresServer.CleartextUser, true)]
    public async Task Login_EachAuthenticationMethod_Succeeds(string upstreamUser, bool allowCleartext)
    {
        await using GatewayRig rig = GatewayRig.Start(postgres,
            configureTarget: t => t with { User = upstreamUser, AllowCleartextPassword = allowCleartext });
        await using NpgsqlConnection connection = await rig.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT current_user", connection);
        Assert.Equal(upstreamUser, await command.ExecuteScalarAsync());
    }

    [Fact]
    public async Task Login_CleartextRequestedWithoutVerifiedTls_RefusedToProtectThePassword()
    {
        await using GatewayRig rig = GatewayRig.Start(postgres, configureTarget: t => t with { User = PostgresServer.CleartextUser });
        await using var connection = new NpgsqlConnection(rig.ConnectionString());
        PostgresException error = await Assert.ThrowsAsync<PostgresException>(() => connection.OpenAsync());
        Assert.Equal("08006", error.SqlState);
        PgLoginFailure closed = await ClosedAsync(rig, CloseReason.UpstreamAuthenticationFailed);
        Assert.Contains("cleartext", closed.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(UpstreamTlsMode.Require)]
    [InlineData(UpstreamTlsMode.VerifyFull)]
    public async Task Login_OverTls_ReachesHostsslOnlyRole(UpstreamTlsMode mode)
    {
        var ca = new X509Certificate2Collection();
        ca.ImportFromPemFile(postgres.Certificates.AuthorityPemPath);
        await using GatewayRig rig = GatewayRig.Start(postgres,
            configureTarget: t => t with { User = PostgresServer.TlsOnlyUser, Tls = mode, CaCertificates = ca, HostName = "localhost" });
        await using NpgsqlConnection connection = await rig.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()", connection);
        Assert.Equal(true, await command.ExecuteScalarAsync());
    }

    [Fact]
    public async Task Login_VerifyFullWithWrongCa_Refused()
    {
        var otherCa = new X509Certificate2Collection();
        using (TempDirectory directory = TempDirectory.Create("gateway-ca-"))
        {
            otherCa.ImportFromPemFile(TestCertificates.Create(directory.Path).AuthorityPemPath);
        }

        await using GatewayRig rig = GatewayRig.Start(postgres,
            configureTarget: t => t with { Tls = UpstreamTlsMode.VerifyFull, CaCertificates = otherCa, HostName = "localhost" });
        await using var connection = new NpgsqlConnection(rig.ConnectionString());
        PostgresException error = await Assert.ThrowsAsync<PostgresException>(() => connection.OpenAsync());
        Assert.Equal("08006", error.SqlState);
        await ClosedAsync(rig, CloseReason.UpstreamConnectFailed);
    }

    [Fact]
    public async Task Login_VerifyFullWithWrongHostName_Refused()
    {
        var ca = new X509Certificate2Collection();
        ca.ImportFromPemFile(postgres.Certificates.AuthorityPemPath);
        await using GatewayRig rig = GatewayRig.Start(postgres,
            configureTarget: t => t with { Tls = UpstreamTlsMode.VerifyFull, CaCertificates = ca, HostName = "db.example.com" });
        await using var connection = new NpgsqlConnection(rig.ConnectionString());
        await Assert.ThrowsAsync<PostgresException>(() => connection.OpenAsync());
        await ClosedAsync(rig, CloseReason.UpstreamConnectFailed);
    }

    [Fact]
    public async Task Login_WrongUpstreamPassword_ClientGetsGenericErrorWithoutUpstreamDetails()
    {
        await using GatewayRig rig = GatewayRig.Start(postgres, configureTarget: t => t with { Password = new UpstreamSecret("wrong") });
        await using WireClient client = await WireClient.ConnectAsync(rig.Port);
        var messages = await client.LoginAsync(GatewayRig.Agent, GatewayRig.AgentSecret, GatewayRig.Target);
        Dictionary<char, string> error = WireClient.Fields(messages[^1].Payload);
        Assert.Equal("08006", error['C']);
        string everything = Encoding.UTF8.GetString(client.Received);
        Assert.DoesNotContain(PostgresServer.AppUser, everything, StringComparison.Ordinal);
        Assert.DoesNotContain("password authentication failed for user \"gw_app\"", everything, StringComparison.Ordinal);
        await ClosedAsync(rig, CloseReason.UpstreamAuthenticationFailed);
    }

    [Fact]
    public async Task Login_UpstreamUnreachable_ClientGets08006()
    {
        int closedPort = FreePort.Next();
        await using GatewayRig rig = GatewayRig.Start(postgres, configureTarget: t => t with { EndPoint = new IPEndPoint(IPAddress.Loopback, closedPort) });
        await using var connection = new NpgsqlConnection(rig.ConnectionString());
        PostgresException error = await Assert.ThrowsAsync<PostgresException>(() => connection.OpenAsync());
        Assert.Equal("08006", error.SqlState);
        await ClosedAsync(rig, CloseReason.UpstreamConnectFailed);
    }

    [Fact]
    public async Task Login_UpstreamNeverAnswers_TimesOut()
    {
        var silent = new ScriptedUpstream(async peer => await peer.ReadMessageAsync());
        await using GatewayRig rig = GatewayRig.Start(postgres, new PgGatewayOptions { UpstreamConnectTimeout = TimeSpan.FromMilliseconds(300) }, connector: silent);
        await using var connection = new NpgsqlConnection(rig.ConnectionString());
        PostgresException error = await Assert.ThrowsAsync<PostgresException>(() => connection.OpenAsync());
        Assert.Equal("08006", error.SqlState);
        PgLoginFailure closed = await ClosedAsync(rig, CloseReason.UpstreamConnectFailed);
        Assert.Contains("timeout", closed.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tls_ServerAnswersSWithPlaintextBehind_AbortsUpstream()
    {
        // PROTO-02 / CVE-2021-23222.
        var injecting = new ScriptedUpstream(async peer =>
        {
            await peer.ReadExactAsync(8);
            await peer.Output.WriteAsync((byte[])[(byte)'S', .. Pg.Build().AuthenticationOk().ReadyForQuery().ToArray()]);
            await peer.ReadMessageAsync();
        });
        await using GatewayRig rig = GatewayRig.Start(postgres, connector: injecting, configureTarget: t => t with { Tls = UpstreamTlsMode.Require });
        await using var connection = new NpgsqlConnection(rig.ConnectionString());
        await Assert.ThrowsAsync<PostgresException>(() => connection.OpenAsync());
        PgLoginFailure closed = await ClosedAsync(rig, CloseReason.ServerProtocolViolation);
        Assert.Contains("unencrypted data", closed.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tls_ServerAnswersWithErrorText_TextIsNotRelayed()
    {
        // PROTO-03 / CVE-2024-10977: the server is not authenticated yet, so its words must not reach the client.
        var lying = new ScriptedUpstream(async peer =>
        {
            await peer.ReadExactAsync(8);
            await peer.SendAsync(Pg.Build().ErrorResponse("FATAL", "28000", "please re-enter your password at evil.example"));
        });
        await using GatewayRig rig = GatewayRig.Start(postgres, connector: lying, configureTarget: t => t with { Tls = UpstreamTlsMode.Require });
        await using WireClient client = await WireClient.ConnectAsync(rig.Port);
        await client.LoginAsync(GatewayRig.Agent, GatewayRig.AgentSecret, GatewayRig.Target);
        Assert.DoesNotContain("evil.example", Encoding.UTF8.GetString(client.Received), StringComparison.Ordinal);
    }

    public static TheoryData<string, string> HostileScramServers => new()
    {
        { "iteration count 0", "i=0" },
        { "iteration count 10^9", "i=1000000000" },
        { "nonce of 100 kB", "long-nonce" },
        { "nonce not extending ours", "foreign-nonce" },
        { "bad server signature", "bad-signature" },
        { "AuthenticationOk without SASLFinal", "skip-final" },
    };

    [Theory]
    [MemberData(nameof(HostileScramServers))]
    public async Task Scram_HostileUpstream_RefusedQuickly(string name, string behaviour)
    {
        // PROTO-04 upstream side (CVE-2026-6665 class): bounded work, no hang, no crash.
        var hostile = new ScriptedUpstream(async peer =>
        {
            await peer.ReadStartupAsync();
            await peer.SendAsync(Pg.Build().AuthenticationSasl("SCRAM-SHA-256"));
            var initial = await peer.ReadMessageAsync();
            string clientFirst = Encoding.ASCII.GetString(initial!.Value.Payload);
            string clientNonce = clientFirst[(clientFirst.IndexOf("r=", StringComparison.Ordinal) + 2)..];
            string serverFirst = behaviour switch
            {
                "i=0" => $"r={clientNonce}abc,s=c2FsdA==,i=0",
                "i=1000000000" => $"r={clientNonce}abc,s=c2FsdA==,i=1000000000",
                "long-nonce" => $"r={clientNonce}{new string('n', 100_000)},s=c2FsdA==,i=4096",
                "foreign-nonce" => "r=someone-elses-nonce,s=c2FsdA==,i=4096",
                _ => $"r={clientNonce}abc,s=c2FsdA==,i=4096",
            };
            await peer.SendAsync(Pg.Build().AuthenticationSaslContinue(serverFirst));
            if (await peer.ReadMessageAsync() is not null && behaviour == "skip-final")
            {
                await peer.SendAsync(Pg.Build().AuthenticationOk().BackendKeyData(1, 2).ReadyForQuery());
            }
            else if (behaviour is not "skip-final")
            {
                await peer.SendAsync(Pg.Build().AuthenticationSaslFinal("v=" + Convert.ToBase64String(new byte[32])).AuthenticationOk().ReadyForQuery());
            }
        });
        await using GatewayRig rig = GatewayRig.Start(postgres, connector: hostile);
        await using var connection = new NpgsqlConnection(rig.ConnectionString());
        var started = System.Diagnostics.Stopwatch.StartNew();
        await Assert.ThrowsAsync<PostgresException>(() => connection.OpenAsync());
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(5), name);
        PgLoginFailure closed = await ClosedAsync(rig, CloseReason.UpstreamAuthenticationFailed, CloseReason.ServerProtocolViolation, CloseReason.UpstreamConnectFailed);
        Assert.NotNull(closed.Detail);
    }

    private static Task<PgLoginFailure> ClosedAsync(GatewayRig rig, params CloseReason[] reasons)
        => rig.Observer.WaitForLoginFailureAsync(reasons);
}
