using Gateway.Testing;
using Npgsql;

namespace Gateway.Core.IntegrationTests.Sessions;

public sealed class NpgsqlRelayTests(PostgresServer postgres) : IAsyncLifetime
{
    private GatewayRig _rig = null!;

    public ValueTask InitializeAsync()
    {
        _rig = GatewayRig.Start(postgres);
        return ValueTask.CompletedTask;
    }

    public ValueTask DisposeAsync() => _rig.DisposeAsync();

    [Fact]
    public async Task SimpleQuery_ThroughGateway_RunsAsUpstreamRole()
    {
        await using NpgsqlConnection connection = await _rig.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT current_user, 40 + 2", connection);
        await using NpgsqlDataReader reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        Assert.Equal(PostgresServer.AppUser, reader.GetString(0));
        Assert.Equal(42, reader.GetInt32(1));
    }
}
