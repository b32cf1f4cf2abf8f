using Gateway.Testing;
using Npgsql;

namespace Gateway.Core.IntegrationTests.Masking;

/// <summary>
/// The channels outside result rows (MASK-08, MASK-10 to MASK-12): COPY TO STDOUT in every format, error and notice
/// fields, notifications, reported settings and planner statistics.
/// </summary>
public sealed class MaskingChannelTests(PostgresServer postgres) : IAsyncLifetime
{
    private MaskedGateway _reader = null!;
    private MaskedGateway _writer = null!;

    public static TheoryData<string> Copies { get; } = new(
        "COPY customers TO STDOUT",
        "COPY customers TO STDOUT WITH (FORMAT csv)",
        "COPY customers TO STDOUT WITH (FORMAT csv, HEADER true)",
        "COPY customers TO STDOUT WITH (FORMAT csv, DELIMITER ';', QUOTE '''', FORCE_QUOTE *)",
        "COPY public.customers (id, ssn, name, email) TO STDOUT",
        "COPY customers TO STDOUT WITH (FORMAT text, NULL 'nil', DELIMITER '|')",
        "COPY customers TO STDOUT CSV",
        "COPY (SELECT id, ssn, email FROM customers) TO STDOUT",
        "COPY (SELECT id, phone FROM customers) TO STDOUT WITH (FORMAT csv, HEADER)");

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
    [MemberData(nameof(Copies))]
    public async Task CopyToStdout_TextFormats_MaskProtectedColumnsOnly(string copy)
    {
        await using NpgsqlConnection connection = await _reader.OpenAsync();
        string output;
        using (TextReader export = await connection.BeginTextExportAsync(copy))
        {
            output = await export.ReadToEndAsync();
        }

        Assert.Equal(MaskingDatabase.Customers, output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Count(line => !line.Contains("ssn", StringComparison.Ordinal) && !line.Contains("phone", StringComparison.Ordinal)));
        Assert.Empty(_reader.Database.LeaksIn(output));
        if (!copy.Contains("SELECT", StringComparison.Ordinal))
        {
            // A COPY of the table masks by column: names are not protected and arrive as they are.
            Assert.Contains(_reader.Database.People[0].Name, output, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("COPY customers TO STDOUT (FORMAT binary)")]
    [InlineData("COPY (SELECT ssn, profile, aliases FROM customers) TO STDOUT (FORMAT binary)")]
    public async Task CopyToStdout_Binary_MasksProtectedColumns(string copy)
    {
        await using NpgsqlConnection connection = await _reader.OpenAsync();
        await using Stream raw = await connection.BeginRawBinaryCopyAsync(copy);
        using var buffer = new MemoryStream();
        await raw.CopyToAsync(buffer);
        string bytes = System.Text.Encoding.UTF8.GetString(buffer.ToArray());

        Assert.StartsWith("PGCOPY\n", bytes, StringComparison.Ordinal);
        Assert.Empty(_reader.Database.LeaksIn(bytes));
        Assert.Empty(_reader.Database.LeaksIn(Convert.ToHexStringLower(buffer.ToArray())));
    }

    [Fact]
    public async Task CopyToStdout_Psql_MasksInSimpleProtocol()
    {
        (int exitCode, string output) = await _reader.PsqlAsync("COPY customers TO STDOUT WITH (FORMAT csv, HEADER)");

        Assert.Equal(0, exitCode);
        Assert.StartsWith("id,name,email,ssn", output, StringComparison.Ordinal);
        Assert.Empty(_reader.Database.LeaksIn(output));
        Assert.Contains("[redacted]", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ErrorResponse_CastOfAProtectedValue_DoesNotQuoteTheValue()
    {
        await using NpgsqlConnection connection = await _reader.OpenAsync();
        PostgresException error = await Assert.ThrowsAsync<PostgresException>(() => new NpgsqlCommand("SELECT ssn::int FROM customers", connection).ExecuteNonQueryAsync());

        Assert.Equal("22P02", error.SqlState);
        Assert.Empty(_reader.Database.LeaksIn(Describe(error)));
    }

    [Theory]
    [InlineData("UPDATE customers SET name = NULL WHERE id = 1", "23502")]
    [InlineData("UPDATE customers SET country = 'XX' WHERE id = 1", "23514")]
    [InlineData("UPDATE customers SET email = (SELECT email FROM customers WHERE id = 2) WHERE id = 1", "23505")]
    [InlineData("INSERT INTO customers (id, name, email) SELECT 1000, 'n', email FROM customers WHERE id = 5", "23505")]
    public async Task ErrorResponse_ConstraintViolation_DetailCarriesNoValue(string sql, string sqlState)
    {
        await using NpgsqlConnection connection = await _writer.OpenAsync();
        PostgresException error = await Assert.ThrowsAsync<PostgresException>(() => new NpgsqlCommand(sql, connection).ExecuteNonQueryAsync());

        Assert.Equal(sqlState, error.SqlState);
        Assert.Empty(_writer.Database.LeaksIn(Describe(error)));
        Assert.Contains("[redacted]", error.Detail ?? error.MessageText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ErrorResponse_StatementWithoutProtectedData_KeepsItsText()
    {
        await using NpgsqlConnection connection = await _reader.OpenAsync();
        PostgresException error = await Assert.ThrowsAsync<PostgresException>(() => new NpgsqlCommand("SELECT no_such_column FROM orders", connection).ExecuteNonQueryAsync());

        Assert.Equal("42703", error.SqlState);
        Assert.Equal("column \"no_such_column\" does not exist", error.MessageText);
    }

    [Fact]
    public async Task NotificationResponse_PayloadFromAnotherSession_IsScanned()
    {
        MaskingDatabase.Customer person = _reader.Database.People[6];
        await using NpgsqlConnection listener = await _reader.OpenAsync();
        var received = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        listener.Notification += (_, e) => received.TrySetResult(e.Payload);
        await new NpgsqlCommand("LISTEN leaks", listener).ExecuteNonQueryAsync();

        await _reader.Database.ExecuteAsync($"SELECT pg_notify('leaks', 'ssn ' || ssn || ' mail ' || email) FROM customers WHERE id = {person.Id}");
        await listener.WaitAsync(TimeSpan.FromSeconds(10));
        string payload = await received.Task.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.StartsWith("ssn ", payload, StringComparison.Ordinal);
        Assert.Empty(_reader.Database.LeaksIn(payload));
    }

    [Fact]
    public async Task ParameterStatus_ApplicationNameWithAValue_IsScanned()
    {
        await using NpgsqlConnection connection = await _reader.OpenAsync();
        string ssn = _reader.Database.People[2].Ssn;
        await new NpgsqlCommand($"SET application_name = 'agent {ssn}'", connection).ExecuteNonQueryAsync();

        Assert.DoesNotContain(ssn, connection.PostgresParameters["application_name"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task PlannerStatistics_AfterAnalyze_ExposeNoValues()
    {
        string output = await _reader.QueryAsync("SELECT attname, most_common_vals::text, histogram_bounds::text FROM pg_stats WHERE tablename = 'customers'");
        string extended = await _reader.QueryAsync("SELECT most_common_vals::text FROM pg_stats_ext WHERE tablename = 'customers'");

        Assert.Contains("ssn|", output, StringComparison.Ordinal);
        Assert.Empty(_reader.Database.LeaksIn(output + extended));
    }

    private static string Describe(PostgresException error)
        => string.Join("\n", error.MessageText, error.Detail, error.Hint, error.Where, error.InternalQuery, error.ConstraintName, error.ColumnName);
}
