using System.Text;
using Gateway.Core.Transport;
using Gateway.Testing;

namespace Gateway.Core.IntegrationTests.Sessions;

/// <summary>
/// The upstream-facing parser (PROTO-07/08 from the server side) and servers that vanish mid-result (FAULT-06): the
/// client must get an error or a closed connection, never a silently short result, and never the upstream's key.
/// </summary>
public sealed class ServerProtocolTests(PostgresServer postgres)
{
    private static readonly byte[] Marker = Encoding.ASCII.GetBytes("SECRET-ROW-DATA");

    public static TheoryData<string, byte[]> MalformedServerFrames => new()
    {
        { "length 3", Pg.Build().MessageWithLength('D', 3, Marker).ToArray() },
        { "negative length", Pg.Build().MessageWithLength('D', int.MinValue, Marker).ToArray() },
        { "unknown type", Pg.Build().MessageWithLength('?', 19, Marker).ToArray() },
        { "ReadyForQuery of length 4", Pg.Build().MessageWithLength('Z', 4, []).ToArray() },
        { "BackendKeyData after login", Pg.Build().BackendKeyData(1, 2).ToArray() },
        { "Authentication after login", Pg.Build().AuthenticationOk().ToArray() },
        { "ErrorResponse without SQLSTATE", Pg.Build().Message('E', b => b.Byte((byte)'M').CString("SECRET-ROW-DATA").Byte(0)).ToArray() },
        { "ErrorResponse without terminator", Pg.Build().Message('E', b => b.Byte((byte)'M').Bytes(Marker)).ToArray() },
    };

    [Theory]
    [MemberData(nameof(MalformedServerFrames))]
    public async Task ServerFrame_Malformed_ClientGetsErrorAndReasonIsServerProtocolViolation(string name, byte[] frame)
    {
        var upstream = new ScriptedUpstream(async peer =>
        {
            await peer.ReadStartupAsync();
            await peer.AcceptLoginAsync();
            await peer.ReadMessageAsync();
            await peer.Output.WriteAsync(Pg.Build().RowDescription(("x", 0, 0, 25, -1, -1, 0)).DataRow(Marker).ToArray());
            await peer.Output.WriteAsync(frame);
            await peer.ReadMessageAsync();
        });
        await using GatewayRig rig = GatewayRig.Start(postgres, connector: upstream);
        await using WireClient client = await WireClient.ConnectAsync(rig.Port);
        await client.LoginAsync(GatewayRig.Agent, GatewayRig.AgentSecret, GatewayRig.Target);
        await client.SendAsync(Pg.Build().Query("SELECT x"));
        var messages = await client.ReadUntilReadyAsync();
        Assert.True(messages.Count > 0 && messages[^1].Code == 'E', name);
        Assert.DoesNotContain(messages, m => m.Code == 'C');
        Assert.True(await client.IsClosedAsync(), name);
        var closed = await rig.Observer.WaitForCloseAsync(_ => true);
        Assert.Equal(CloseReason.ServerProtocolViolation, closed.CloseReason);
        Assert.DoesNotContain("SECRET-ROW-DATA", closed.CloseDetail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Server_VanishesMidMessage_ClientIsToldAndNeverSeesCommandComplete()
    {
        var upstream = new ScriptedUpstream(async peer =>
        {
            await peer.ReadStartupAsync();
            await peer.AcceptLoginAsync();
            await peer.ReadMessageAsync();
            byte[] row = Pg.Build().DataRow(Marker).ToArray();
            await peer.Output.WriteAsync(Pg.Build().RowDescription(("x", 0, 0, 25, -1, -1, 0)).DataRow(Marker).ToArray());
            await peer.Output.WriteAsync(row.AsMemory(0, row.Length - 3));
        });
        await using GatewayRig rig = GatewayRig.Start(postgres, connector: upstream);
        await using WireClient client = await WireClient.ConnectAsync(rig.Port);
        await client.LoginAsync(GatewayRig.Agent, GatewayRig.AgentSecret, GatewayRig.Target);
        await client.SendAsync(Pg.Build().Query("SELECT x"));
        var codes = new List<char>();
        while (await client.ReadMessageAsync() is { } message)
        {
            codes.Add(message.Code);
        }

        Assert.Equal(['T', 'D'], codes);
        var closed = await rig.Observer.WaitForCloseAsync(_ => true);
        Assert.Equal(CloseReason.ServerEndOfStream, closed.CloseReason);
        Assert.Contains("middle of a message", closed.CloseDetail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Server_VanishesBetweenMessages_ClientGetsConnectionLostError()
    {
        var upstream = new ScriptedUpstream(async peer =>
        {
            await peer.ReadStartupAsync();
            await peer.AcceptLoginAsync();
            await peer.ReadMessageAsync();
            await peer.Output.WriteAsync(Pg.Build().RowDescription(("x", 0, 0, 25, -1, -1, 0)).DataRow(Marker).ToArray());
        });
        await using GatewayRig rig = GatewayRig.Start(postgres, connector: upstream);
        await using WireClient client = await WireClient.ConnectAsync(rig.Port);
        await client.LoginAsync(GatewayRig.Agent, GatewayRig.AgentSecret, GatewayRig.Target);
        await client.SendAsync(Pg.Build().Query("SELECT x"));
        var messages = await client.ReadUntilReadyAsync();
        Assert.Equal('E', messages[^1].Code);
        Assert.Equal("08006", WireClient.Fields(messages[^1].Payload)['C']);
        Assert.DoesNotContain(messages, m => m.Code == 'C');
    }

    [Fact]
    public async Task RealServer_BackendTerminated_ClientSeesFatalAndReasonIsServerFatal()
    {
        await using GatewayRig rig = GatewayRig.Start(postgres);
        await using WireClient client = await WireClient.ConnectAsync(rig.Port);
        await client.LoginAsync(GatewayRig.Agent, GatewayRig.AgentSecret, GatewayRig.Target);
        await client.SendAsync(Pg.Build().Query("SELECT pg_backend_pid()"));
        var rows = await client.ReadUntilReadyAsync();
        byte[] row = rows.Single(m => m.Code == 'D').Payload;
        string pid = Encoding.ASCII.GetString(row, 6, row.Length - 6);
        await postgres.ExecuteAsync($"SELECT pg_terminate_backend({pid})");
        var fatal = await client.ReadMessageAsync();
        Assert.Equal("57P01", WireClient.Fields(fatal!.Value.Payload)['C']);
        Assert.True(await client.IsClosedAsync());
        var closed = await rig.Observer.WaitForCloseAsync(_ => true);
        Assert.Equal(CloseReason.ServerFatalError, closed.CloseReason);
    }
}
