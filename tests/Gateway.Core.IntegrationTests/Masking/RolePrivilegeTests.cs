using Gateway.Testing;
using Npgsql;

namespace Gateway.Core.IntegrationTests.Masking;

/// <summary>
/// What docs/roles.sql leaves an agent (MASK-04, MASK-13, MASK-14), run through the gateway: no server files, no
/// large objects, no procedural code, no relations to launder values into, and no writes on a read scope however
/// the transaction is opened. Each canary must fail on the test database; the test fails if any succeeds.
/// </summary>
public sealed class RolePrivilegeTests(PostgresServer postgres) : IAsyncLifetime
{
    private MaskedGateway _reader = null!;
    private MaskedGateway _writer = null!;

    public async ValueTask InitializeAsync()
    {
        _reader = await MaskedGateway.StartAsync(postgres);
        _writer = await MaskedGateway.StartAsync(postgres, write: true);
    }

    public async ValueTask DisposeAsync()
    {
        await _reader.DisposeAsync();
        await _writer.DisposeAsync();
    }

    [Theory]
    // MASK-13: server files, programs, large objects, procedural code, functions in the temporary schema.
    [InlineData("SELECT pg_read_file('/etc/hostname')")]
    [InlineData("SELECT pg_ls_dir('.')")]
    [InlineData("COPY customers TO '/tmp/gateway-canary.txt'")]
    [InlineData("COPY (SELECT 1) TO PROGRAM 'id'")]
    [InlineData("SELECT lo_from_bytea(0, 'canary')")]
    [InlineData("SELECT lo_get(1)")]
    [InlineData("DO $$ BEGIN RAISE NOTICE '%', (SELECT ssn FROM customers LIMIT 1); END $$")]
    [InlineData("CREATE FUNCTION pg_temp.canary() RETURNS int LANGUAGE sql AS 'SELECT 1'")]
    // MASK-04: laundering into new relations.
    [InlineData("SELECT ssn INTO launder FROM customers")]
    [InlineData("CREATE TABLE launder AS SELECT ssn FROM customers")]
    [InlineData("CREATE TEMP TABLE launder AS SELECT ssn FROM customers")]
    [InlineData("CREATE VIEW launder AS SELECT ssn FROM customers")]
    // MASK-11: side channels filled from a query.
    [InlineData("SELECT pg_notify('leak', ssn) FROM customers")]
    [InlineData("SELECT set_config('application_name', ssn, false) FROM customers")]
    public async Task ReadRole_Canary_IsRefused(string sql)
    {
        await using NpgsqlConnection connection = await _reader.OpenAsync();
        // The role's default read-only transactions would refuse most canaries first; the privileges must hold alone.
        await new NpgsqlCommand("SET default_transaction_read_only = off", connection).ExecuteNonQueryAsync();
        PostgresException error = await Assert.ThrowsAsync<PostgresException>(() => new NpgsqlCommand(sql, connection).ExecuteNonQueryAsync());

        Assert.Equal("42501", error.SqlState);
    }

    [Theory]
    [InlineData("CREATE TABLE launder AS SELECT ssn FROM customers")]
    [InlineData("CREATE TEMP TABLE launder AS SELECT ssn FROM customers")]
    [InlineData("SELECT lo_from_bytea(0, 'canary')")]
    [InlineData("DO $$ BEGIN NULL; END $$")]
    public async Task WriteRole_Canary_IsRefused(string sql)
    {
        await using NpgsqlConnection connection = await _writer.OpenAsync();
        PostgresException error = await Assert.ThrowsAsync<PostgresException>(() => new NpgsqlCommand(sql, connection).ExecuteNonQueryAsync());

        Assert.Equal("42501", error.SqlState);
    }

    [Theory]
    // MASK-14: every way of asking for a read-write transaction still has no privilege to write with.
    [InlineData("BEGIN READ WRITE; INSERT INTO orders VALUES (99999, 1, 1, 'x'); COMMIT")]
    [InlineData("SET default_transaction_read_only = off; UPDATE orders SET total = 0")]
    [InlineData("SET SESSION CHARACTERISTICS AS TRANSACTION READ WRITE; DELETE FROM orders")]
    [InlineData("BEGIN; SET TRANSACTION READ WRITE; UPDATE customers SET name = 'x'; COMMIT")]
    public async Task ReadRole_WriteInAReadWriteTransaction_IsRefused(string statements)
    {
        await using NpgsqlConnection connection = await _reader.OpenAsync();
        string[] parts = statements.Split("; ");
        foreach (string statement in parts.SkipLast(parts[^1] == "COMMIT" ? 2 : 1))
        {
            await new NpgsqlCommand(statement, connection).ExecuteNonQueryAsync();
        }

        string write = parts[^1] == "COMMIT" ? parts[^2] : parts[^1];
        PostgresException error = await Assert.ThrowsAsync<PostgresException>(() => new NpgsqlCommand(write, connection).ExecuteNonQueryAsync());

        Assert.Equal("42501", error.SqlState);
        Assert.Equal("0", (await postgres.PsqlAsync("SELECT count(*) FROM orders WHERE id = 99999 OR total = 0", MaskingDatabase.Name)).Trim());
    }

    [Fact]
    public async Task ReadRole_Notify_IsAnAllowedSideEffectWithALiteralPayloadOnly()
    {
        // NOTIFY takes a literal: it cannot carry a value read by a query (pg_notify, which could, is revoked).
        await using NpgsqlConnection connection = await _reader.OpenAsync();
        await new NpgsqlCommand("NOTIFY agent_channel, 'hello'", connection).ExecuteNonQueryAsync();
    }

    [Fact]
    public async Task WriteRole_RowChange_ReturningIsMasked()
    {
        await using NpgsqlConnection connection = await _writer.OpenAsync();
        await using NpgsqlTransaction transaction = await connection.BeginTransactionAsync();
        await using var command = new NpgsqlCommand("UPDATE customers SET notes = notes WHERE id <= 3 RETURNING id, ssn, email AS e, upper(phone)", connection, transaction);
        var output = new System.Text.StringBuilder();
        await using (NpgsqlDataReader reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                output.Append(MaskedGateway.Render(reader.GetValue(1))).Append(MaskedGateway.Render(reader.GetValue(2))).Append(MaskedGateway.Render(reader.GetValue(3)));
            }
        }

        await transaction.RollbackAsync();
        Assert.Contains("[redacted]", output.ToString(), StringComparison.Ordinal);
        Assert.Empty(_writer.Database.LeaksIn(output.ToString()));
    }
}
