using System.Collections.Concurrent;
using Gateway.Core.Transport;
using Gateway.Testing;
using Npgsql;

namespace Gateway.Core.IntegrationTests.Sessions;

/// <summary>
/// PROTO-06: startup parameters are refused or neutralised, never forwarded verbatim; asserted on what the upstream
/// actually received (a scripted upstream records the StartupMessage) and on the real server's settings.
/// </summary>
public sealed class StartupParameterTests(PostgresServer postgres)
{
    public static TheoryData<string, string> RefusedParameters => new()
    {
        { "replication", "database" },
        { "replication", "true" },
        { "replication", "1" },
        { "replication", "on" },
        { "options", "-c default_transaction_read_only=off" },
        { "options", "-c search_path=evil" },
        { "options", "--search_path=evil" },
        { "options", "-csearch_path=evil" },
        { "options", "-c\\ search_path=evil" },
    };

    [Theory]
    [MemberData(nameof(RefusedParameters))]
    public async Task Parameter_Refused_NeverReachesUpstream(string name, string value)
    {
        var upstream = new ScriptedUpstream(async peer =>
        {
            await peer.ReadStartupAsync();
            await peer.AcceptLoginAsync();
        });
        await using GatewayRig rig = GatewayRig.Start(postgres, connector: upstream);
        await using WireClient client = await WireClient.ConnectAsync(rig.Port);
        var messages = await client.LoginAsync(GatewayRig.Agent, GatewayRig.AgentSecret, GatewayRig.Target, (name, value));
        Assert.Equal('E', messages[^1].Code);
        Assert.Equal(0, upstream.Connections);
        Assert.Equal(CloseReason.StartupParameterRefused, (await rig.Observer.WaitForLoginFailureAsync(CloseReason.StartupParameterRefused)).Reason);
    }

    [Fact]
    public async Task Parameters_Dangerous_AreDroppedAndSafeOnesForwarded()
    {
        var received = new ConcurrentQueue<Dictionary<string, string>>();
        var upstream = new ScriptedUpstream(async peer =>
        {
            received.Enqueue(await peer.ReadStartupAsync());
            await peer.AcceptLoginAsync();
            await peer.ReadMessageAsync();
        });
        await using GatewayRig rig = GatewayRig.Start(postgres, connector: upstream);
        await using WireClient client = await WireClient.ConnectAsync(rig.Port);
        var messages = await client.LoginAsync(GatewayRig.Agent, GatewayRig.AgentSecret, GatewayRig.Target,
            ("search_path", "evil"), ("role", "postgres"), ("session_authorization", "postgres"), ("_pq_.unknown", "1"),
            ("application_name", "agent-app"), ("client_encoding", "UTF8"), ("DateStyle", "ISO"));
        Assert.Equal('Z', messages[^1].Code);
        Dictionary<string, string> startup = Assert.Single(received);
        Assert.Equal(PostgresServer.AppUser, startup["user"]);
        Assert.Equal(PostgresServer.Database, startup["database"]);
        Assert.Equal("agent-app", startup["application_name"]);
        Assert.Equal("UTF8", startup["client_encoding"]);
        Assert.Equal("ISO", startup["DateStyle"]);
        Assert.DoesNotContain("search_path", startup.Keys);
        Assert.DoesNotContain("role", startup.Keys);
        Assert.DoesNotContain("session_authorization", startup.Keys);
        Assert.DoesNotContain("_pq_.unknown", startup.Keys);
        Assert.Equal(5, startup.Count);
        Assert.Contains("_pq_.unknown", System.Text.Encoding.UTF8.GetString(client.NegotiatedProtocol!), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Parameters_TwoHundredUnknown_DroppedAndLoginSucceeds()
    {
        await using GatewayRig rig = GatewayRig.Start(postgres);
        await using WireClient client = await WireClient.ConnectAsync(rig.Port);
        var extra = Enumerable.Range(0, 200).Select(i => ($"x{i}", "v")).ToArray();
        var messages = await client.LoginAsync(GatewayRig.Agent, GatewayRig.AgentSecret, GatewayRig.Target, extra);
        Assert.Equal('Z', messages[^1].Code);
    }

    [Fact]
    public async Task SearchPathAndRole_OnRealServer_HaveNoEffect()
    {
        await using GatewayRig rig = GatewayRig.Start(postgres);
        await using WireClient client = await WireClient.ConnectAsync(rig.Port);
        await client.LoginAsync(GatewayRig.Agent, GatewayRig.AgentSecret, GatewayRig.Target, ("search_path", "evil"), ("role", "postgres"));
        await client.SendAsync(Pg.Build().Query("SELECT current_setting('search_path') || '|' || current_user"));
        var rows = await client.ReadUntilReadyAsync();
        byte[] row = rows.Single(m => m.Code == 'D').Payload;
        string value = System.Text.Encoding.UTF8.GetString(row, 6, row.Length - 6);
        Assert.Equal($"\"$user\", public|{PostgresServer.AppUser}", value);
    }

    [Fact]
    public async Task SessionAuthorization_ParameterStatus_ShowsTheAgentNotTheUpstreamRole()
    {
        await using GatewayRig rig = GatewayRig.Start(postgres);
        await using WireClient client = await WireClient.ConnectAsync(rig.Port);
        var messages = await client.LoginAsync(GatewayRig.Agent, GatewayRig.AgentSecret, GatewayRig.Target);
        string all = System.Text.Encoding.UTF8.GetString(client.Received);
        Assert.Contains("session_authorization\0" + GatewayRig.Agent, all, StringComparison.Ordinal);
        Assert.DoesNotContain(PostgresServer.AppUser, all, StringComparison.Ordinal);
        Assert.DoesNotContain(PostgresServer.AppPassword, all, StringComparison.Ordinal);
        Assert.Equal('Z', messages[^1].Code);
    }

    [Theory]
    [InlineData("missing user")]
    [InlineData("duplicate user")]
    [InlineData("empty user")]
    [InlineData("non-UTF-8 value")]
    public async Task StartupMessage_Malformed_RefusedCleanly(string shape)
    {
        await using GatewayRig rig = GatewayRig.Start(postgres);
        await using WireClient client = await WireClient.ConnectAsync(rig.Port);
        byte[] packet = shape switch
        {
            "missing user" => Pg.Build().Startup(("database", GatewayRig.Target)).ToArray(),
            "duplicate user" => Pg.Build().Startup(("user", GatewayRig.Agent), ("user", "other")).ToArray(),
            "empty user" => Pg.Build().Startup(("user", ""), ("database", GatewayRig.Target)).ToArray(),
            _ => NonUtf8Startup(),
        };
        await client.SendAsync(packet);
        var error = await client.ReadMessageAsync();
        Assert.Equal('E', error!.Value.Code);
        Assert.Contains(WireClient.Fields(error.Value.Payload)['C'], new[] { "08P01", "28000" });
        Assert.True(await client.IsClosedAsync());
    }

    [Fact]
    public async Task Database_NotGrantedToAgent_DeniedWithoutTouchingUpstream()
    {
        var upstream = new ScriptedUpstream(peer => Task.CompletedTask);
        await using GatewayRig rig = GatewayRig.Start(postgres, connector: upstream);
        await using var connection = new NpgsqlConnection(rig.ConnectionString(database: PostgresServer.Database));
        PostgresException error = await Assert.ThrowsAsync<PostgresException>(() => connection.OpenAsync());
        Assert.Equal("28P01", error.SqlState);
        Assert.Equal(0, upstream.Connections);
    }

    private static byte[] NonUtf8Startup()
    {
        byte[] valid = Pg.Build().Startup(("user", GatewayRig.Agent), ("application_name", "ab")).ToArray();
        int index = Array.LastIndexOf(valid, (byte)'a');
        valid[index] = 0xC3;
        valid[index + 1] = 0x28;
        return valid;
    }
}
