using System.Buffers;
using System.Net.Security;
using System.Text;
using Gateway.Core.Configuration;
using Gateway.Core.Protocol.Postgres;
using Gateway.Core.Sessions;
using Gateway.Core.Transport;
using Gateway.Testing;
using Microsoft.Extensions.Time.Testing;
using Npgsql;

namespace Gateway.Core.IntegrationTests.Sessions;

/// <summary>Every way a session ends has one <see cref="CloseReason"/>, the client is told when it can be, and both sides close.</summary>
public sealed class SessionEndTests(PostgresServer postgres)
{
    [Fact]
    public async Task Terminate_FromClient_ClosesWithClientTerminate()
    {
        await using GatewayRig rig = GatewayRig.Start(postgres);
        await using (WireClient client = await WireClient.ConnectAsync(rig.Port))
        {
            await client.LoginAsync(GatewayRig.Agent, GatewayRig.AgentSecret, GatewayRig.Target);
            await client.SendAsync(Pg.Build().Query("SELECT 1"));
            await client.ReadUntilReadyAsync();
            await client.SendAsync(Pg.Build().Terminate());
            Assert.True(await client.IsClosedAsync());
        }

        PgSession closed = await rig.Observer.WaitForCloseAsync(_ => true);
        Assert.Equal(CloseReason.ClientTerminate, closed.CloseReason);
        Assert.Equal(1, closed.Statements);
        Assert.True(closed.BytesFromServer > 0);
    }

    [Fact]
    public async Task ClientSocket_ClosedWithoutTerminate_ClosesWithClientEndOfStream()
    {
        await using GatewayRig rig = GatewayRig.Start(postgres);
        await using (WireClient client = await WireClient.ConnectAsync(rig.Port))
        {
            await client.LoginAsync(GatewayRig.Agent, GatewayRig.AgentSecret, GatewayRig.Target);
        }

        Assert.Equal(CloseReason.ClientEndOfStream, (await rig.Observer.WaitForCloseAsync(_ => true)).CloseReason);
    }

    [Fact]
    public async Task Deadline_PassesDuringPgSleep_QueryCancelledClientToldAndSessionClosed()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using GatewayRig rig = GatewayRig.Start(postgres, timeProvider: time);
        DateTimeOffset deadline = time.GetUtcNow().AddMinutes(10);
        rig.Authorizer.Decide = (_, target) => SessionAuthorization.Allow(target) with { Deadline = deadline, DeadlineMessage = "grant G-42 expired" };
        await using WireClient client = await WireClient.ConnectAsync(rig.Port);
        await client.LoginAsync(GatewayRig.Agent, GatewayRig.AgentSecret, GatewayRig.Target);
        string query = $"SELECT pg_sleep(30) -- {Guid.NewGuid()}";
        await client.SendAsync(Pg.Build().Query(query));
        await WaitUntilActiveAsync(query);

        time.Advance(TimeSpan.FromMinutes(10));

        var fatal = await client.ReadMessageAsync(TimeSpan.FromSeconds(5));
        Dictionary<char, string> fields = WireClient.Fields(fatal!.Value.Payload);
        Assert.Equal("FATAL", fields['V']);
        Assert.Equal("grant G-42 expired", fields['M']);
        Assert.True(await client.IsClosedAsync(TimeSpan.FromSeconds(5)));
        Assert.Equal(CloseReason.GrantExpired, (await rig.Observer.WaitForCloseAsync(_ => true)).CloseReason);
        await WaitUntilGoneAsync(query);
    }

    [Fact]
    public async Task Deadline_AlreadyPastAtLogin_SessionEndsImmediately()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using GatewayRig rig = GatewayRig.Start(postgres, timeProvider: time);
        rig.Authorizer.Decide = (_, target) => SessionAuthorization.Allow(target) with { Deadline = time.GetUtcNow() };
        await using WireClient client = await WireClient.ConnectAsync(rig.Port);
        var login = await client.LoginAsync(GatewayRig.Agent, GatewayRig.AgentSecret, GatewayRig.Target);
        Assert.Equal('Z', login[^1].Code);
        var fatal = await client.ReadMessageAsync(TimeSpan.FromSeconds(5));
        Assert.Contains("expired", WireClient.Fields(fatal!.Value.Payload)['M'], StringComparison.Ordinal);
        Assert.Equal(CloseReason.GrantExpired, (await rig.Observer.WaitForCloseAsync(_ => true)).CloseReason);
    }

    [Fact]
    public async Task Terminate_ByHost_FirstReasonWinsAndClientGetsMessage()
    {
        await using GatewayRig rig = GatewayRig.Start(postgres);
        await using WireClient client = await WireClient.ConnectAsync(rig.Port);
        await client.LoginAsync(GatewayRig.Agent, GatewayRig.AgentSecret, GatewayRig.Target);
        PgSession session = Assert.Single(rig.Gateway.Sessions);
        session.Terminate(CloseReason.GrantRevoked, "grant revoked by reviewer");
        session.Terminate(CloseReason.Shutdown, "too late");
        var fatal = await client.ReadMessageAsync(TimeSpan.FromSeconds(5));
        Assert.Equal("grant revoked by reviewer", WireClient.Fields(fatal!.Value.Payload)['M']);
        Assert.Equal(CloseReason.GrantRevoked, (await rig.Observer.WaitForCloseAsync(_ => true)).CloseReason);
    }

    [Fact]
    public async Task Shutdown_WithOpenSession_ClientToldAndReasonIsShutdown()
    {
        GatewayRig rig = GatewayRig.Start(postgres);
        await using WireClient client = await WireClient.ConnectAsync(rig.Port);
        await client.LoginAsync(GatewayRig.Agent, GatewayRig.AgentSecret, GatewayRig.Target);
        await rig.DisposeAsync();
        var fatal = await client.ReadMessageAsync(TimeSpan.FromSeconds(5));
        Assert.Equal("57P01", WireClient.Fields(fatal!.Value.Payload)['C']);
        Assert.Equal(CloseReason.Shutdown, Assert.Single(rig.Observer.Closed).CloseReason);
    }

    [Fact]
    public async Task LoginTimeout_ClientSendsNothing_ClosedWithStartupTimeout()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using GatewayRig rig = GatewayRig.Start(postgres, new PgGatewayOptions { LoginTimeout = TimeSpan.FromSeconds(2) }, timeProvider: time);
        await using WireClient client = await WireClient.ConnectAsync(rig.Port);
        await client.SendAsync(Pg.Build().Startup(("user", GatewayRig.Agent), ("database", GatewayRig.Target)));
        Assert.Equal('R', (await client.ReadMessageAsync())!.Value.Code);
        time.Advance(TimeSpan.FromSeconds(3));
        Assert.True(await client.IsClosedAsync());
        Assert.Equal(CloseReason.StartupTimeout, (await rig.Observer.WaitForLoginFailureAsync(CloseReason.StartupTimeout)).Reason);
    }

    [Fact]
    public async Task RequireTls_PlainClient_RefusedWithTlsRequired()
    {
        await using GatewayRig rig = GatewayRig.Start(postgres, listener: new PgListenerOptions
        {
            Tls = new SslServerAuthenticationOptions { ServerCertificate = postgres.Certificates.Server },
            RequireTls = true,
        });
        await using var connection = new NpgsqlConnection(rig.ConnectionString());
        PostgresException error = await Assert.ThrowsAsync<PostgresException>(() => connection.OpenAsync());
        Assert.Equal("28000", error.SqlState);
        Assert.Equal(CloseReason.TlsRequired, (await rig.Observer.WaitForLoginFailureAsync(CloseReason.TlsRequired)).Reason);
    }

    [Fact]
    public async Task RequireTls_NpgsqlOverTls_Works()
    {
        await using GatewayRig rig = GatewayRig.Start(postgres, listener: new PgListenerOptions
        {
            Tls = new SslServerAuthenticationOptions { ServerCertificate = postgres.Certificates.Server },
            RequireTls = true,
        });
        string connectionString = rig.ConnectionString().Replace("SSL Mode=Disable", $"SSL Mode=VerifyFull;Root Certificate={postgres.Certificates.AuthorityPemPath}", StringComparison.Ordinal)
            .Replace("Host=127.0.0.1", "Host=localhost", StringComparison.Ordinal);
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT repeat('t', 100000)", connection);
        Assert.Equal(100_000, ((string)(await command.ExecuteScalarAsync())!).Length);
        Assert.True(Assert.Single(rig.Gateway.Sessions).IsTls);
    }

    [Fact]
    public async Task Terminate_OverTls_ClientReceivesTheFatalMessageIntact()
    {
        await using GatewayRig rig = GatewayRig.Start(postgres, listener: new PgListenerOptions
        {
            Tls = new SslServerAuthenticationOptions { ServerCertificate = postgres.Certificates.Server },
            RequireTls = true,
        });
        string connectionString = rig.ConnectionString().Replace("SSL Mode=Disable", "SSL Mode=Require;Trust Server Certificate=true", StringComparison.Ordinal);
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var sleep = new NpgsqlCommand($"SELECT pg_sleep(30) -- {Guid.NewGuid()}", connection);
        Task running = sleep.ExecuteNonQueryAsync();
        await WaitUntilActiveAsync(sleep.CommandText);

        Assert.Single(rig.Gateway.Sessions).Terminate(CloseReason.GrantRevoked, "grant G-7 was revoked");

        PostgresException ended = await Assert.ThrowsAsync<PostgresException>(() => running.WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.Equal(("FATAL", "57P01", "grant G-7 was revoked"), (ended.Severity, ended.SqlState, ended.MessageText));
        await WaitUntilGoneAsync(sleep.CommandText);
    }

    [Fact]
    public async Task TlsHandshake_Garbage_ClosedWithTlsHandshakeFailed()
    {
        await using GatewayRig rig = GatewayRig.Start(postgres, listener: new PgListenerOptions
        {
            Tls = new SslServerAuthenticationOptions { ServerCertificate = postgres.Certificates.Server },
        });
        await using WireClient client = await WireClient.ConnectAsync(rig.Port);
        await client.SendAsync(Pg.Build().SslRequest());
        Assert.Equal((byte)'S', await client.ReadByteAsync());
        await client.SendAsync(Encoding.ASCII.GetBytes("this is not a ClientHello, it is plaintext"));
        Assert.True(await client.IsClosedAsync());
        Assert.Equal(CloseReason.TlsHandshakeFailed, (await rig.Observer.WaitForLoginFailureAsync(CloseReason.TlsHandshakeFailed)).Reason);
    }

    [Fact]
    public async Task Hook_Throwing_EndsSessionWithInternalErrorAndTellsClient()
    {
        await using GatewayRig rig = GatewayRig.Start(postgres);
        rig.Authorizer.Decide = (_, target) => SessionAuthorization.Allow(target) with { Hooks = [new ThrowingHook()] };
        await using WireClient client = await WireClient.ConnectAsync(rig.Port);
        await client.LoginAsync(GatewayRig.Agent, GatewayRig.AgentSecret, GatewayRig.Target);
        await client.SendAsync(Pg.Build().Query("SELECT 1"));
        var messages = await client.ReadUntilReadyAsync();
        Assert.Equal('E', messages[^1].Code);
        Assert.Equal(CloseReason.InternalError, (await rig.Observer.WaitForCloseAsync(_ => true)).CloseReason);
    }

    private sealed class ThrowingHook : IPgMessageHook
    {
        public PgMessageCodeSet FrontendCodes => PgMessageCodeSet.Empty;

        public PgMessageCodeSet BackendCodes => PgMessageCodeSet.Of(BackendCode.DataRow);

        public PgHookAction OnMessage(in PgMessage message, IBufferWriter<byte> replacement)
            => throw new InvalidOperationException("a masking rule failed");
    }

    private async Task WaitUntilActiveAsync(string query)
    {
        for (int i = 0; i < 500; i++)
        {
            if (await CountActiveAsync(query) > 0)
            {
                return;
            }

            await Task.Delay(10);
        }

        throw new TimeoutException("query never started upstream");
    }

    private async Task WaitUntilGoneAsync(string query)
    {
        for (int i = 0; i < 200; i++)
        {
            if (await CountActiveAsync(query) == 0)
            {
                return;
            }

            await Task.Delay(10);
        }

        throw new TimeoutException("query still running upstream 2 s after the session ended");
    }

    private async Task<long> CountActiveAsync(string query)
    {
        await using var admin = new NpgsqlConnection(postgres.AdminConnectionString);
        await admin.OpenAsync();
        await using var probe = new NpgsqlCommand("SELECT count(*) FROM pg_stat_activity WHERE query = $1 AND state = 'active'", admin);
        probe.Parameters.AddWithValue(query);
        return (long)(await probe.ExecuteScalarAsync())!;
    }
}
