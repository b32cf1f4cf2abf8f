using Gateway.Testing;
using Npgsql;

namespace Gateway.Core.IntegrationTests.Sessions;

/// <summary>PROTO-11: clients only ever hold gateway-issued keys; a key cancels its own session's query and nothing else.</summary>
public sealed class CancelRequestTests(PostgresServer postgres) : IAsyncLifetime
{
    // Other test classes run pg_sleep in parallel on the same server: this class counts only its own.
    private readonly string _marker = Guid.NewGuid().ToString("N");
    private GatewayRig _rig = null!;

    public ValueTask InitializeAsync()
    {
        _rig = GatewayRig.Start(postgres);
        return ValueTask.CompletedTask;
    }

    public ValueTask DisposeAsync() => _rig.DisposeAsync();

    [Fact]
    public async Task CancelRequest_WithOwnKey_CancelsOnlyThatSession()
    {
        await using WireClient first = await WireClient.ConnectAsync(_rig.Port);
        var login = await first.LoginAsync(GatewayRig.Agent, GatewayRig.AgentSecret, GatewayRig.Target);
        byte[] key = login.Single(m => m.Code == 'K').Payload;
        int processId = System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(key);
        int secretKey = System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(key.AsSpan(4));
        await using NpgsqlConnection second = await _rig.OpenAsync();
        await using var secondSleep = new NpgsqlCommand($"SELECT pg_sleep(30), 'second' -- {_marker}", second);
        await first.SendAsync(Pg.Build().Query($"SELECT pg_sleep(30), 'first' -- {_marker}"));
        Task secondRunning = secondSleep.ExecuteNonQueryAsync();
        await WaitForActiveAsync(2);

        await SendCancelAsync(processId, secretKey);

        var response = await first.ReadUntilReadyAsync(TimeSpan.FromSeconds(10));
        Assert.Equal("57014", WireClient.Fields(response.Single(m => m.Code == 'E').Payload)['C']);
        Assert.False(secondRunning.IsCompleted);
        Assert.Equal(1, await CountActiveAsync());
        secondSleep.Cancel();
        await Assert.ThrowsAsync<OperationCanceledException>(() => secondRunning.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task CancelRequest_WithAnotherSessionsProcessIdButWrongSecret_CancelsNothing()
    {
        await using WireClient client = await WireClient.ConnectAsync(_rig.Port);
        var login = await client.LoginAsync(GatewayRig.Agent, GatewayRig.AgentSecret, GatewayRig.Target);
        byte[] key = login.Single(m => m.Code == 'K').Payload;
        int processId = System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(key);
        int secretKey = System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(key.AsSpan(4));
        await client.SendAsync(Pg.Build().Query($"SELECT pg_sleep(0.5), 'done' -- {_marker}"));
        await WaitForActiveAsync(1);
        await SendCancelAsync(processId, secretKey ^ 1);
        var response = await client.ReadUntilReadyAsync(TimeSpan.FromSeconds(10));
        Assert.DoesNotContain(response, m => m.Code == 'E');
        Assert.Contains(response, m => m.Code == 'C');
    }

    [Fact]
    public async Task CancelRequest_WithRandomKeys_CancelsNothingAndDoesNotDisturbOthers()
    {
        await using NpgsqlConnection sleeper = await _rig.OpenAsync();
        await using NpgsqlConnection worker = await _rig.OpenAsync();
        await using var sleep = new NpgsqlCommand($"SELECT pg_sleep(1.5) -- {_marker}", sleeper);
        Task sleeping = sleep.ExecuteNonQueryAsync();
        await WaitForActiveAsync(1);

        var random = new Random(43134114);
        Task flood = Task.WhenAll(Enumerable.Range(0, 200).Select(_ => SendCancelAsync(random.Next(), random.Next())));
        for (int i = 0; i < 50; i++)
        {
            await using var query = new NpgsqlCommand("SELECT 1", worker);
            Assert.Equal(1, await query.ExecuteScalarAsync());
        }

        await flood;
        await sleeping.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(sleeping.IsCompletedSuccessfully);
    }

    private async Task SendCancelAsync(int processId, int secretKey)
    {
        await using WireClient client = await WireClient.ConnectAsync(_rig.Port);
        await client.SendAsync(Pg.Build().CancelRequest(processId, secretKey));
        await client.IsClosedAsync();
    }

    private async Task WaitForActiveAsync(int count)
    {
        for (int i = 0; i < 500 && await CountActiveAsync() < count; i++)
        {
            await Task.Delay(10);
        }
    }

    private async Task<long> CountActiveAsync()
    {
        await using var admin = new NpgsqlConnection(postgres.AdminConnectionString);
        await admin.OpenAsync();
        await using var probe = new NpgsqlCommand("SELECT count(*) FROM pg_stat_activity WHERE query LIKE 'SELECT pg_sleep%' || $1 AND state = 'active'", admin);
        probe.Parameters.AddWithValue(_marker);
        return (long)(await probe.ExecuteScalarAsync())!;
    }
}
