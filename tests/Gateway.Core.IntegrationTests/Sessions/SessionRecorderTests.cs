using System.Text;
using Gateway.Core.Sessions;
using Gateway.Core.Transport;
using Gateway.Testing;
using Npgsql;

namespace Gateway.Core.IntegrationTests.Sessions;

/// <summary>
/// The recorder tap: it sees the client's bytes as sent and the bytes the client received (after masking, including
/// the gateway's own FATAL), and a failing recorder ends the session with nothing more relayed.
/// </summary>
public sealed class SessionRecorderTests(PostgresServer postgres)
{
    /// <summary>Npgsql's type-loading queries would add rows of their own to the recorded stream.</summary>
    private const string NoTypeLoading = "Server Compatibility Mode=NoTypeLoading;";

    [Fact]
    public async Task Recorder_SimpleAndExtendedQueries_SeesExactlyTheBytesSentAndReceived()
    {
        var recorder = new MemoryRecorder();
        await using GatewayRig rig = StartRecorded(recorder);
        await using WireClient client = await WireClient.ConnectAsync(rig.Port);
        await client.LoginAsync(GatewayRig.Agent, GatewayRig.AgentSecret, GatewayRig.Target);
        int loginBytes = client.Received.Length;

        var sent = new List<byte>();
        async Task SendAsync(Pg pg)
        {
            byte[] bytes = pg.ToArray();
            sent.AddRange(bytes);
            await client.SendAsync(bytes);
        }

        await SendAsync(Pg.Build().Query("SELECT g, repeat('x', g) FROM generate_series(1, 500) g"));
        await client.ReadUntilReadyAsync();
        await SendAsync(Pg.Build().Parse("s1", "SELECT $1::int + 1", 23).Bind("", "s1", [0], ["41"u8.ToArray()], [0]).Execute("").Sync()
            .Query("SELECT 1/0"));
        await client.ReadUntilReadyAsync();
        await client.ReadUntilReadyAsync();
        await SendAsync(Pg.Build().Terminate());
        Assert.Equal(CloseReason.ClientTerminate, (await rig.Observer.WaitForCloseAsync(_ => true)).CloseReason);

        Assert.Equal(sent.ToArray(), recorder.ClientBytes);
        byte[] received = client.Received;
        Assert.Equal(received.AsSpan(loginBytes).ToArray(), recorder.ServerBytes);
        string codes = string.Concat(MemoryRecorder.Frame(recorder.ServerBytes).Select(m => m.Code));
        Assert.Equal("T" + new string('D', 500) + "CZ" + "12DCZ" + "EZ", codes);
    }

    [Fact]
    public async Task Recorder_MaskedTarget_SeesMaskedRowsAsTheClientDid()
    {
        await using MaskedGateway gateway = await MaskedGateway.StartAsync(postgres);
        var recorders = new List<MemoryRecorder>();
        var masked = gateway.Rig.Authorizer.Decide!;
        gateway.Rig.Authorizer.Decide = (context, target) =>
        {
            var recorder = new MemoryRecorder();
            lock (recorders)
            {
                recorders.Add(recorder);
            }

            return masked(context, target) with { Recorder = recorder };
        };

        string result;
        await using (NpgsqlConnection connection = await gateway.OpenAsync(NoTypeLoading))
        {
            result = await MaskedGateway.QueryAsync(connection, "SELECT id, name, email, ssn, phone, card_number, api_key FROM customers ORDER BY id");
        }

        await gateway.Rig.Observer.WaitForCloseAsync(_ => true);
        MemoryRecorder recorded = Assert.Single(recorders);
        string serverText = Encoding.UTF8.GetString(recorded.ServerBytes);
        Assert.Empty(gateway.Database.LeaksIn(result));
        Assert.Empty(gateway.Database.LeaksIn(serverText));
        Assert.Contains("[redacted]", serverText, StringComparison.Ordinal);
        Assert.Contains(gateway.Database.People[0].Name, serverText, StringComparison.Ordinal);
        List<(char Code, byte[] Payload)> messages = MemoryRecorder.Frame(recorded.ServerBytes);
        Assert.Equal(MaskingDatabase.Customers, messages.Count(m => m.Code == 'D'));
        Assert.Equal('X', MemoryRecorder.Frame(recorded.ClientBytes)[^1].Code);
    }

    [Fact]
    public async Task Recorder_HostTerminates_RecordsTheFatalTheClientGot()
    {
        var recorder = new MemoryRecorder();
        await using GatewayRig rig = StartRecorded(recorder);
        await using WireClient client = await WireClient.ConnectAsync(rig.Port);
        await client.LoginAsync(GatewayRig.Agent, GatewayRig.AgentSecret, GatewayRig.Target);
        int loginBytes = client.Received.Length;
        PgSession session = Assert.Single(rig.Gateway.Sessions);

        session.Terminate(CloseReason.GrantExpired, "grant G-7 expired");
        var fatal = await client.ReadMessageAsync(TimeSpan.FromSeconds(5));
        Assert.Equal("grant G-7 expired", WireClient.Fields(fatal!.Value.Payload)['M']);
        await rig.Observer.WaitForCloseAsync(_ => true);

        Assert.Equal(client.Received.AsSpan(loginBytes).ToArray(), recorder.ServerBytes);
        (char code, byte[] payload) = Assert.Single(MemoryRecorder.Frame(recorder.ServerBytes));
        Assert.Equal('E', code);
        Assert.Equal("FATAL", WireClient.Fields(payload)['V']);
    }

    [Fact]
    public async Task Recorder_Failing_SessionEndsWithRecordingFailedAndNothingMoreIsRelayed()
    {
        var recorder = new MemoryRecorder();
        await using GatewayRig rig = StartRecorded(recorder);
        await using WireClient client = await WireClient.ConnectAsync(rig.Port);
        await client.LoginAsync(GatewayRig.Agent, GatewayRig.AgentSecret, GatewayRig.Target);
        await client.SendAsync(Pg.Build().Query("SELECT 1"));
        Assert.Equal("TDCZ", string.Concat((await client.ReadUntilReadyAsync()).Select(m => m.Code)));

        recorder.Fail();
        string marker = Guid.NewGuid().ToString("N");
        await client.SendAsync(Pg.Build().Query($"SELECT '{marker}'"));
        var messages = await client.ReadUntilReadyAsync(TimeSpan.FromSeconds(5));

        (char code, byte[] payload) = Assert.Single(messages);
        Assert.Equal('E', code);
        Dictionary<char, string> fields = WireClient.Fields(payload);
        Assert.Equal("FATAL", fields['V']);
        Assert.Equal("session recording failed", fields['M']);
        Assert.Equal("58030", fields['C']);
        Assert.True(await client.IsClosedAsync(TimeSpan.FromSeconds(5)));
        Assert.Equal(CloseReason.RecordingFailed, (await rig.Observer.WaitForCloseAsync(_ => true)).CloseReason);
        Assert.DoesNotContain(marker, Encoding.UTF8.GetString(recorder.ClientBytes), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Recorder_FailingWhileTheServerAnswers_ServerAnswerIsNotRelayed()
    {
        var recorder = new MemoryRecorder();
        await using GatewayRig rig = StartRecorded(recorder);
        await using WireClient client = await WireClient.ConnectAsync(rig.Port);
        await client.LoginAsync(GatewayRig.Agent, GatewayRig.AgentSecret, GatewayRig.Target);
        int loginBytes = client.Received.Length;

        // The client's statement is recorded (and relayed); the recorder fails before the answer comes back.
        recorder.FailAfterClientBytes = 1;
        await client.SendAsync(Pg.Build().Query("SELECT 'answer-' || 42"));
        var messages = await client.ReadUntilReadyAsync(TimeSpan.FromSeconds(5));

        Assert.Equal("session recording failed", WireClient.Fields(Assert.Single(messages).Payload)['M']);
        Assert.DoesNotContain("answer-42", Encoding.UTF8.GetString(client.Received.AsSpan(loginBytes)), StringComparison.Ordinal);
        Assert.Equal(CloseReason.RecordingFailed, (await rig.Observer.WaitForCloseAsync(_ => true)).CloseReason);
    }

    [Fact]
    public async Task Recorder_Lagging_SessionWaitsThenContinuesWithNothingLost()
    {
        var recorder = new MemoryRecorder();
        await using GatewayRig rig = StartRecorded(recorder);
        await using WireClient client = await WireClient.ConnectAsync(rig.Port);
        await client.LoginAsync(GatewayRig.Agent, GatewayRig.AgentSecret, GatewayRig.Target);

        recorder.Block();
        byte[] query = Pg.Build().Query("SELECT 'after the wait'").ToArray();
        await client.SendAsync(query);
        await recorder.Waiting.WaitAsync(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken);
        Assert.Empty(recorder.ClientBytes);

        recorder.Release();
        var messages = await client.ReadUntilReadyAsync(TimeSpan.FromSeconds(5));
        Assert.Equal("TDCZ", string.Concat(messages.Select(m => m.Code)));
        Assert.Equal(query, recorder.ClientBytes);
    }

    [Fact]
    public async Task Recorder_Lagging_HostCanStillEndTheSession()
    {
        var recorder = new MemoryRecorder();
        await using GatewayRig rig = StartRecorded(recorder);
        await using WireClient client = await WireClient.ConnectAsync(rig.Port);
        await client.LoginAsync(GatewayRig.Agent, GatewayRig.AgentSecret, GatewayRig.Target);
        PgSession session = Assert.Single(rig.Gateway.Sessions);

        recorder.Block();
        await client.SendAsync(Pg.Build().Query("SELECT 1"));
        await recorder.Waiting.WaitAsync(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken);
        session.Terminate(CloseReason.GrantRevoked, "grant revoked");

        var fatal = await client.ReadMessageAsync(TimeSpan.FromSeconds(5));
        Assert.Equal("grant revoked", WireClient.Fields(fatal!.Value.Payload)['M']);
        Assert.Equal(CloseReason.GrantRevoked, (await rig.Observer.WaitForCloseAsync(_ => true)).CloseReason);
    }

    [Fact]
    public async Task Recorder_Npgsql_ClientAndServerStreamsFrameIntoWholeMessages()
    {
        var recorder = new MemoryRecorder();
        await using GatewayRig rig = StartRecorded(recorder);
        await using (NpgsqlConnection connection = await rig.OpenAsync(NoTypeLoading))
        {
            await using var command = new NpgsqlCommand("SELECT $1::text || g FROM generate_series(1, 3000) g", connection);
            command.Parameters.AddWithValue("value-");
            int rows = 0;
            await using (NpgsqlDataReader reader = await command.ExecuteReaderAsync(TestContext.Current.CancellationToken))
            {
                while (await reader.ReadAsync(TestContext.Current.CancellationToken))
                {
                    rows++;
                }
            }

            Assert.Equal(3000, rows);
        }

        PgSession closed = await rig.Observer.WaitForCloseAsync(_ => true);
        List<(char Code, byte[] Payload)> client = MemoryRecorder.Frame(recorder.ClientBytes);
        List<(char Code, byte[] Payload)> server = MemoryRecorder.Frame(recorder.ServerBytes);
        Assert.Equal(closed.BytesFromClient, recorder.ClientBytes.Length);
        Assert.Contains(client, m => m.Code == 'B' && Encoding.UTF8.GetString(m.Payload).Contains("value-", StringComparison.Ordinal));
        Assert.Equal(3000, server.Count(m => m.Code == 'D'));
        Assert.Equal('X', client[^1].Code);
    }

    /// <summary>A gateway that allows every session and records it into <paramref name="recorder"/>.</summary>
    private GatewayRig StartRecorded(MemoryRecorder recorder)
    {
        GatewayRig rig = GatewayRig.Start(postgres);
        rig.Authorizer.Decide = (_, target) => SessionAuthorization.Allow(target) with { Recorder = recorder };
        return rig;
    }
}
