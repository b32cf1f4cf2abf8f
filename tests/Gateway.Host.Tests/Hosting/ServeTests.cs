using Gateway.Testing;
using Npgsql;

namespace Gateway.Host.Tests.Hosting;

/// <summary>The <c>gateway serve</c> process as an operator runs it.</summary>
public sealed class ServeTests(PostgresServer postgres)
{
    [Fact]
    public async Task Serve_StreamingA200MegabyteResult_GatewayMemoryStaysBounded()
    {
        await using GatewayProcess gateway = await GatewayProcess.StartAsync(postgres);
        await using var connection = new NpgsqlConnection(await gateway.GrantConnectionStringAsync());
        await connection.OpenAsync();
        await using (var warm = new NpgsqlCommand("SELECT repeat('w', 1000) FROM generate_series(1, 20000)", connection))
        {
            await using NpgsqlDataReader warmReader = await warm.ExecuteReaderAsync();
            while (await warmReader.ReadAsync())
            {
            }
        }

        (long rssBefore, _) = gateway.Memory();
        long bytes = 0;
        await using (var command = new NpgsqlCommand("SELECT repeat('x', 1000) FROM generate_series(1, 200000)", connection))
        {
            await using NpgsqlDataReader reader = await command.ExecuteReaderAsync(System.Data.CommandBehavior.SequentialAccess);
            while (await reader.ReadAsync())
            {
                bytes += reader.GetFieldValue<string>(0).Length;
            }
        }

        (long rssAfter, long peak) = gateway.Memory();
        TestContext.Current.TestOutputHelper?.WriteLine($"gateway RSS before {rssBefore} KiB, after {rssAfter} KiB, peak {peak} KiB while streaming {bytes / 1_000_000} MB");
        Assert.Equal(200_000_000L, bytes);
        // The relay streams: 200 MB through it must not grow it by more than a small, fixed amount.
        Assert.True(peak - rssBefore < 64 * 1024, $"RSS before {rssBefore} KiB, after {rssAfter} KiB, peak {peak} KiB");
    }

    [Fact]
    public async Task Serve_Sigterm_EndsSessionsWithShutdownAndExitsCleanly()
    {
        GatewayProcess gateway = await GatewayProcess.StartAsync(postgres);
        await using (gateway)
        {
            await using var connection = new NpgsqlConnection(await gateway.GrantConnectionStringAsync());
            await connection.OpenAsync();
            Assert.Equal(0, await gateway.StopAsync());
            await using var command = new NpgsqlCommand("SELECT 1", connection);
            await Assert.ThrowsAnyAsync<Exception>(() => command.ExecuteScalarAsync());
            Assert.Contains("closed: Shutdown", gateway.Log, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Serve_Log_HasIdentitiesAndReasonsButNoSecretsOrRows()
    {
        await using GatewayProcess gateway = await GatewayProcess.StartAsync(postgres);
        string connectionString = await gateway.GrantConnectionStringAsync();
        await using (var connection = new NpgsqlConnection(connectionString))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand("SELECT 'ROW-VALUE-' || 'MARKER'", connection);
            await command.ExecuteScalarAsync();
        }

        string password = connectionString.Split(';').Single(part => part.StartsWith("Password=", StringComparison.Ordinal))["Password=".Length..];
        await using (var wrong = new NpgsqlConnection(connectionString.Replace(password, "wrong-secret", StringComparison.Ordinal)))
        {
            await Assert.ThrowsAsync<PostgresException>(() => wrong.OpenAsync());
        }

        await gateway.StopAsync();
        string log = gateway.Log;
        Assert.Contains($"identity {Support.TestIdentities.Agent}", log, StringComparison.Ordinal);
        Assert.Contains("AuthenticationFailed", log, StringComparison.Ordinal);
        Assert.DoesNotContain("ROW-VALUE-MARKER", log, StringComparison.Ordinal);
        Assert.DoesNotContain(PostgresServer.AppPassword, log, StringComparison.Ordinal);
        Assert.DoesNotContain(password, log, StringComparison.Ordinal);
        Assert.DoesNotContain(Support.TestIdentities.KeyOf(Support.TestIdentities.Agent), log, StringComparison.Ordinal);
        Assert.DoesNotContain("wrong-secret", log, StringComparison.Ordinal);
    }
}
