using System.Buffers;
using System.Buffers.Binary;
using Gateway.Core.Protocol.Postgres;
using Gateway.Core.Sessions;
using Gateway.Core.Transport;
using Gateway.Testing;

namespace Gateway.Core.IntegrationTests.Sessions;

/// <summary>The relay is byte-transparent where no hook acts, and hooks can rewrite, drop and chain messages safely.</summary>
public sealed class MessageHookTests(PostgresServer postgres)
{
    private const string Query = "SELECT g, md5(g::text), repeat('x', g % 300), NULL::text FROM generate_series(1, 2000) g";

    [Fact]
    public async Task Relay_WithoutHooks_ResultBytesIdenticalToDirect()
    {
        byte[] direct = await RunDirectAsync(Query);
        await using GatewayRig rig = GatewayRig.Start(postgres);
        byte[] relayed = await RunThroughAsync(rig, Query);
        Assert.Equal(direct.Length, relayed.Length);
        Assert.True(direct.AsSpan().SequenceEqual(relayed));
    }

    [Fact]
    public async Task Relay_WithHookOnOtherMessages_DataRowsStillIdentical()
    {
        byte[] direct = await RunDirectAsync(Query);
        await using GatewayRig rig = GatewayRig.Start(postgres);
        var counter = new CountingHook();
        rig.Authorizer.Decide = (_, target) => SessionAuthorization.Allow(target) with { Hooks = [counter] };
        byte[] relayed = await RunThroughAsync(rig, Query);
        Assert.True(direct.AsSpan().SequenceEqual(relayed));
        Assert.Equal(1, counter.Queries);
        Assert.Equal(1, counter.CommandCompletes);
    }

    [Fact]
    public async Task Hooks_RewriteThenObserve_SecondHookSeesTheRewrite()
    {
        await using GatewayRig rig = GatewayRig.Start(postgres);
        var nuller = new NullingHook();
        var counter = new CountingHook();
        rig.Authorizer.Decide = (_, target) => SessionAuthorization.Allow(target) with { Hooks = [nuller, counter] };
        await using WireClient client = await WireClient.ConnectAsync(rig.Port);
        await client.LoginAsync(GatewayRig.Agent, GatewayRig.AgentSecret, GatewayRig.Target);
        await client.SendAsync(Pg.Build().Query("SELECT 'secret-value', 42 FROM generate_series(1, 3)"));
        var messages = await client.ReadUntilReadyAsync();
        var rows = messages.Where(m => m.Code == 'D').ToList();
        Assert.Equal(3, rows.Count);
        Assert.All(rows, row => Assert.Equal(Pg.Build().DataRow(null, null).ToArray()[5..], row.Payload));
        Assert.Equal(3, counter.NullRows);
    }

    [Fact]
    public async Task Hook_DroppingMessages_ClientNeverSeesThem()
    {
        await using GatewayRig rig = GatewayRig.Start(postgres);
        rig.Authorizer.Decide = (_, target) => SessionAuthorization.Allow(target) with { Hooks = [new DroppingHook()] };
        await using WireClient client = await WireClient.ConnectAsync(rig.Port);
        await client.LoginAsync(GatewayRig.Agent, GatewayRig.AgentSecret, GatewayRig.Target);
        await client.SendAsync(Pg.Build().Query("DO $$ BEGIN RAISE NOTICE 'hidden'; END $$"));
        var messages = await client.ReadUntilReadyAsync();
        Assert.DoesNotContain(messages, m => m.Code == 'N');
        Assert.Contains(messages, m => m.Code == 'C');
    }

    [Fact]
    public async Task Hook_WritingAMalformedFrame_EndsSessionInsteadOfSmugglingBytes()
    {
        await using GatewayRig rig = GatewayRig.Start(postgres);
        rig.Authorizer.Decide = (_, target) => SessionAuthorization.Allow(target) with { Hooks = [new LyingHook()] };
        await using WireClient client = await WireClient.ConnectAsync(rig.Port);
        await client.LoginAsync(GatewayRig.Agent, GatewayRig.AgentSecret, GatewayRig.Target);
        await client.SendAsync(Pg.Build().Query("SELECT 1"));
        var messages = await client.ReadUntilReadyAsync();
        Assert.Equal('E', messages[^1].Code);
        Assert.DoesNotContain(messages, m => m.Code == 'Q');
        Assert.Equal(CloseReason.InternalError, (await rig.Observer.WaitForCloseAsync(_ => true)).CloseReason);
    }

    private async Task<byte[]> RunDirectAsync(string query)
    {
        await using WireClient client = await WireClient.ConnectAsync(postgres.Port);
        var login = await client.LoginAsync(PostgresServer.AppUser, PostgresServer.AppPassword, PostgresServer.Database);
        Assert.Equal('Z', login[^1].Code);
        return await QueryBytesAsync(client, query);
    }

    private static async Task<byte[]> RunThroughAsync(GatewayRig rig, string query)
    {
        await using WireClient client = await WireClient.ConnectAsync(rig.Port);
        await client.LoginAsync(GatewayRig.Agent, GatewayRig.AgentSecret, GatewayRig.Target);
        return await QueryBytesAsync(client, query);
    }

    private static async Task<byte[]> QueryBytesAsync(WireClient client, string query)
    {
        int before = client.Received.Length;
        await client.SendAsync(Pg.Build().Query(query));
        await client.ReadUntilReadyAsync();
        return client.Received[before..];
    }

    private sealed class CountingHook : IPgMessageHook
    {
        public int Queries { get; private set; }

        public int CommandCompletes { get; private set; }

        public int NullRows { get; private set; }

        public PgMessageCodeSet FrontendCodes => PgMessageCodeSet.Of(FrontendCode.Query);

        public PgMessageCodeSet BackendCodes => PgMessageCodeSet.Of(BackendCode.CommandComplete, BackendCode.DataRow);

        public PgHookAction OnMessage(in PgMessage message, IBufferWriter<byte> replacement)
        {
            if (message.Code == (byte)FrontendCode.Query && message.Side == PgSide.Frontend)
            {
                Queries++;
            }
            else if (message.Code == (byte)BackendCode.CommandComplete)
            {
                CommandCompletes++;
            }
            else if (message.Code == (byte)BackendCode.DataRow && message.Payload.ToArray().AsSpan(2).SequenceEqual(new byte[] { 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF }))
            {
                NullRows++;
            }

            return PgHookAction.Forward;
        }
    }

    /// <summary>Rewrites every DataRow to the same number of NULL columns (a stand-in for masking).</summary>
    private sealed class NullingHook : IPgMessageHook
    {
        public PgMessageCodeSet FrontendCodes => PgMessageCodeSet.Empty;

        public PgMessageCodeSet BackendCodes => PgMessageCodeSet.Of(BackendCode.DataRow);

        public PgHookAction OnMessage(in PgMessage message, IBufferWriter<byte> replacement)
        {
            Span<byte> header = stackalloc byte[2];
            message.Payload.Slice(0, 2).CopyTo(header);
            short columns = BinaryPrimitives.ReadInt16BigEndian(header);
            Span<byte> row = replacement.GetSpan(7 + (4 * columns));
            row[0] = (byte)'D';
            BinaryPrimitives.WriteInt32BigEndian(row[1..], 6 + (4 * columns));
            BinaryPrimitives.WriteInt16BigEndian(row[5..], columns);
            row.Slice(7, 4 * columns).Fill(0xFF);
            replacement.Advance(7 + (4 * columns));
            return PgHookAction.Replace;
        }
    }

    private sealed class DroppingHook : IPgMessageHook
    {
        public PgMessageCodeSet FrontendCodes => PgMessageCodeSet.Empty;

        public PgMessageCodeSet BackendCodes => PgMessageCodeSet.Of(BackendCode.NoticeResponse);

        public PgHookAction OnMessage(in PgMessage message, IBufferWriter<byte> replacement) => PgHookAction.Replace;
    }

    /// <summary>Writes a Query frame whose length claims more than it wrote: the relay must refuse it.</summary>
    private sealed class LyingHook : IPgMessageHook
    {
        public PgMessageCodeSet FrontendCodes => PgMessageCodeSet.Of(FrontendCode.Query);

        public PgMessageCodeSet BackendCodes => PgMessageCodeSet.Empty;

        public PgHookAction OnMessage(in PgMessage message, IBufferWriter<byte> replacement)
        {
            replacement.Write(Pg.Build().MessageWithLength('Q', 100, "SELECT 1\0"u8).ToArray());
            return PgHookAction.Replace;
        }
    }
}
