using System.Text;
using Gateway.Core.Transport;
using Gateway.Testing;
using Npgsql;
using NpgsqlTypes;

namespace Gateway.Core.IntegrationTests.Sessions;

/// <summary>Npgsql through the gateway against a real PostgreSQL: the relay must be invisible to a driver.</summary>
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

    [Fact]
    public async Task PreparedStatement_ExecutedRepeatedly_ReturnsBinaryResults()
    {
        await using NpgsqlConnection connection = await _rig.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT $1::int * 2, $2::text || '!', now()::timestamptz, $3::bytea", connection);
        command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Integer });
        command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Bytea });
        await command.PrepareAsync();
        for (int i = 0; i < 50; i++)
        {
            command.Parameters[0].Value = i;
            command.Parameters[1].Value = "row" + i;
            command.Parameters[2].Value = new byte[] { 0, 1, (byte)i };
            await using NpgsqlDataReader reader = await command.ExecuteReaderAsync();
            Assert.True(await reader.ReadAsync());
            Assert.Equal(i * 2, reader.GetInt32(0));
            Assert.Equal("row" + i + "!", reader.GetString(1));
            Assert.Equal(new byte[] { 0, 1, (byte)i }, (byte[])reader[3]);
        }
    }

    [Fact]
    public async Task Batch_MultipleStatements_AllResultsArrive()
    {
        await using NpgsqlConnection connection = await _rig.OpenAsync();
        await using var batch = new NpgsqlBatch(connection)
        {
            BatchCommands = { new("SELECT 1"), new("SELECT 'two'"), new("SELECT generate_series(1, 3)") },
        };
        await using NpgsqlDataReader reader = await batch.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        Assert.Equal(1, reader.GetInt32(0));
        Assert.True(await reader.NextResultAsync());
        Assert.True(await reader.ReadAsync());
        Assert.Equal("two", reader.GetString(0));
        Assert.True(await reader.NextResultAsync());
        int rows = 0;
        while (await reader.ReadAsync())
        {
            rows++;
        }

        Assert.Equal(3, rows);
    }

    [Fact]
    public async Task Transaction_RolledBack_LeavesNoRows()
    {
        await postgres.ExecuteAsync("CREATE TABLE IF NOT EXISTS tx_probe (id int); GRANT ALL ON tx_probe TO gw_app");
        await using NpgsqlConnection connection = await _rig.OpenAsync();
        await using (NpgsqlTransaction transaction = await connection.BeginTransactionAsync())
        {
            await using var insert = new NpgsqlCommand("INSERT INTO tx_probe VALUES (1)", connection, transaction);
            await insert.ExecuteNonQueryAsync();
            await transaction.RollbackAsync();
        }

        await using (NpgsqlTransaction transaction = await connection.BeginTransactionAsync())
        {
            await using var insert = new NpgsqlCommand("INSERT INTO tx_probe VALUES (2)", connection, transaction);
            await insert.ExecuteNonQueryAsync();
            await transaction.CommitAsync();
        }

        await using var count = new NpgsqlCommand("SELECT array_agg(id) FROM tx_probe", connection);
        Assert.Equal(new[] { 2 }, (int[])(await count.ExecuteScalarAsync())!);
    }

    [Fact]
    public async Task Error_SyntaxError_ReachesClientAndSessionStaysUsable()
    {
        await using NpgsqlConnection connection = await _rig.OpenAsync();
        await using var bad = new NpgsqlCommand("SELEC 1", connection);
        PostgresException error = await Assert.ThrowsAsync<PostgresException>(() => bad.ExecuteNonQueryAsync());
        Assert.Equal("42601", error.SqlState);
        await using var good = new NpgsqlCommand("SELECT 7", connection);
        Assert.Equal(7, await good.ExecuteScalarAsync());
    }

    [Fact]
    public async Task CopyFromStdinAndToStdout_RoundTripRows()
    {
        await postgres.ExecuteAsync("DROP TABLE IF EXISTS copy_probe; CREATE TABLE copy_probe (id int, name text); GRANT ALL ON copy_probe TO gw_app");
        await using NpgsqlConnection connection = await _rig.OpenAsync();
        await using (NpgsqlBinaryImporter importer = await connection.BeginBinaryImportAsync("COPY copy_probe (id, name) FROM STDIN (FORMAT binary)"))
        {
            for (int i = 0; i < 1000; i++)
            {
                await importer.StartRowAsync();
                await importer.WriteAsync(i, NpgsqlDbType.Integer);
                await importer.WriteAsync("name " + i, NpgsqlDbType.Text);
            }

            Assert.Equal(1000UL, await importer.CompleteAsync());
        }

        using TextReader exported = await connection.BeginTextExportAsync("COPY (SELECT id, name FROM copy_probe ORDER BY id) TO STDOUT");
        string text = await exported.ReadToEndAsync();
        string[] lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(1000, lines.Length);
        Assert.Equal("999\tname 999", lines[^1]);
    }

    [Fact]
    public async Task ListenNotify_AcrossTwoGatewaySessions_DeliversNotification()
    {
        await using NpgsqlConnection listener = await _rig.OpenAsync();
        await using NpgsqlConnection notifier = await _rig.OpenAsync();
        var received = new TaskCompletionSource<NpgsqlNotificationEventArgs>(TaskCreationOptions.RunContinuationsAsynchronously);
        listener.Notification += (_, e) => received.TrySetResult(e);
        await using (var listen = new NpgsqlCommand("LISTEN gateway_channel", listener))
        {
            await listen.ExecuteNonQueryAsync();
        }

        await using (var notify = new NpgsqlCommand("SELECT pg_notify('gateway_channel', 'hello through the gateway')", notifier))
        {
            await notify.ExecuteNonQueryAsync();
        }

        Task waiting = listener.WaitAsync(TimeSpan.FromSeconds(10));
        NpgsqlNotificationEventArgs notification = await received.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await waiting;
        Assert.Equal("gateway_channel", notification.Channel);
        Assert.Equal("hello through the gateway", notification.Payload);
    }

    [Fact]
    public async Task Cancel_RunningPgSleep_IsForwardedWithUpstreamKey()
    {
        await using NpgsqlConnection connection = await _rig.OpenAsync();
        string query = $"SELECT pg_sleep(30) -- {Guid.NewGuid()}";
        await using var sleep = new NpgsqlCommand(query, connection);
        Task running = sleep.ExecuteNonQueryAsync();
        await WaitUntilRunningAsync(query);
        sleep.Cancel();
        OperationCanceledException canceled = await Assert.ThrowsAsync<OperationCanceledException>(() => running.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal("57014", Assert.IsType<PostgresException>(canceled.InnerException).SqlState);
        await using var after = new NpgsqlCommand("SELECT 1", connection);
        Assert.Equal(1, await after.ExecuteScalarAsync());
    }

    [Fact]
    public async Task BackendKeyData_SeenByClient_IsNotTheUpstreamKey()
    {
        await using NpgsqlConnection connection = await _rig.OpenAsync();
        await using var pid = new NpgsqlCommand("SELECT pg_backend_pid()", connection);
        int upstreamPid = (int)(await pid.ExecuteScalarAsync())!;
        Assert.NotEqual(upstreamPid, connection.ProcessID);
    }

    [Fact]
    public async Task WrongSecret_Refused_With28P01()
    {
        await using var connection = new NpgsqlConnection(_rig.ConnectionString(password: "not-the-secret"));
        PostgresException error = await Assert.ThrowsAsync<PostgresException>(() => connection.OpenAsync());
        Assert.Equal("28P01", error.SqlState);
        Assert.Equal(CloseReason.AuthenticationFailed, (await _rig.Observer.WaitForLoginFailureAsync(CloseReason.AuthenticationFailed)).Reason);
    }

    [Fact]
    public async Task UnknownUser_RefusedExactlyLikeWrongSecret()
    {
        await using var unknown = new NpgsqlConnection(_rig.ConnectionString(user: "nobody"));
        PostgresException unknownError = await Assert.ThrowsAsync<PostgresException>(() => unknown.OpenAsync());
        await using var wrong = new NpgsqlConnection(_rig.ConnectionString(password: "wrong"));
        PostgresException wrongError = await Assert.ThrowsAsync<PostgresException>(() => wrong.OpenAsync());
        Assert.Equal(wrongError.SqlState, unknownError.SqlState);
        Assert.Equal(
            wrongError.MessageText.Replace(GatewayRig.Agent, "<user>", StringComparison.Ordinal),
            unknownError.MessageText.Replace("nobody", "<user>", StringComparison.Ordinal));
    }

    [Fact]
    public async Task TargetNotGranted_RefusedLikeWrongSecret()
    {
        _rig.Authorizer.Targets["other"] = _rig.UpstreamTarget with { Name = "other" };
        await using var connection = new NpgsqlConnection(_rig.ConnectionString(database: "other"));
        PostgresException error = await Assert.ThrowsAsync<PostgresException>(() => connection.OpenAsync());
        Assert.Equal("28P01", error.SqlState);
        Assert.Equal($"password authentication failed for user \"{GatewayRig.Agent}\"", error.MessageText);
        Assert.Equal(CloseReason.AuthorizationDenied, (await _rig.Observer.WaitForLoginFailureAsync(CloseReason.AuthorizationDenied)).Reason);
    }

    [Fact]
    public async Task LargeValues_StreamedThrough_ArriveIntact()
    {
        await using NpgsqlConnection connection = await _rig.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT repeat('x', 8 * 1024 * 1024), md5(repeat('x', 8 * 1024 * 1024))", connection);
        await using NpgsqlDataReader reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        string value = reader.GetString(0);
        Assert.Equal(8 * 1024 * 1024, value.Length);
        Assert.Equal(reader.GetString(1), Convert.ToHexStringLower(System.Security.Cryptography.MD5.HashData(Encoding.ASCII.GetBytes(value))));
    }

    private async Task WaitUntilRunningAsync(string query)
    {
        await using var admin = new NpgsqlConnection(postgres.AdminConnectionString);
        await admin.OpenAsync();
        await using var probe = new NpgsqlCommand("SELECT count(*) FROM pg_stat_activity WHERE query = $1 AND state = 'active'", admin);
        probe.Parameters.AddWithValue(query);
        for (int i = 0; i < 500; i++)
        {
            if ((long)(await probe.ExecuteScalarAsync())! > 0)
            {
                return;
            }

            await Task.Delay(10);
        }

        throw new TimeoutException("query never started upstream");
    }
}
