using Gateway.Core.Masking;
using Gateway.Testing;
using Npgsql;

namespace Gateway.Core.IntegrationTests.Masking;

/// <summary>
/// Masking by origin and taint against a real server (MASK-01 to MASK-07, MASK-16, MASK-17): every shape an agent
/// can give a query — aliases, subqueries, CTEs, cursors, views, whole rows, expressions, aggregates, encodings —
/// through Npgsql (extended protocol, binary results, with and without Prepare) and psql (simple protocol, text),
/// asserting on what the client received that no protected value arrives in any encoded form, and that what is
/// not protected arrives unchanged.
/// </summary>
public sealed class MaskingOriginTests(PostgresServer postgres) : IAsyncLifetime
{
    private MaskedGateway _gateway = null!;

    public static TheoryData<string> Shapes { get; } = new(
        // MASK-01: origin survives aliases, stars, derived tables, CTEs, LATERAL, DISTINCT/GROUP BY/ORDER BY.
        "SELECT email AS e, ssn AS x, phone AS p, card_number AS c, salary AS s, api_key AS t FROM customers",
        "SELECT c.* FROM customers c",
        "SELECT * FROM customers",
        "SELECT x.s FROM (SELECT ssn AS s FROM customers) x",
        "WITH t AS (SELECT phone, email FROM customers) SELECT * FROM t",
        "SELECT l.e FROM orders o, LATERAL (SELECT email AS e FROM customers WHERE id = o.customer_id) l",
        "SELECT DISTINCT ssn FROM customers ORDER BY 1",
        "SELECT email, count(*) FROM customers GROUP BY email ORDER BY email",
        "SELECT o.id, c.card_number FROM orders o JOIN customers c ON c.id = o.customer_id",
        // MASK-02: whole rows.
        "SELECT c FROM customers c",
        "SELECT c::text FROM customers c",
        "SELECT ROW(c.*) FROM customers c",
        "SELECT to_jsonb(c) FROM customers c",
        "SELECT row_to_json(c) FROM customers c",
        // MASK-03: views over protected columns, renamed, stacked, materialized.
        "SELECT * FROM customer_contacts",
        "SELECT contact FROM customer_contacts",
        "SELECT shout FROM contact_names",
        "SELECT code FROM customer_secrets",
        // MASK-05: expressions, casts, set operations, windows, scalar subqueries.
        "SELECT upper(email), ssn || '', substr(phone, 2), api_key::varchar(10) FROM customers",
        "SELECT email FROM customers UNION SELECT 'x'",
        "SELECT ssn FROM customers UNION ALL SELECT ssn FROM customers",
        "SELECT (SELECT ssn FROM customers ORDER BY id LIMIT 1)",
        "SELECT first_value(phone) OVER (ORDER BY id) FROM customers",
        "SELECT coalesce(api_key, ''), CASE WHEN id > 0 THEN email END FROM customers",
        "SELECT card_number + 0, card_number::text, salary * 1 FROM customers",
        "SELECT * FROM (VALUES ((SELECT email FROM customers WHERE id = 1))) v",
        "SELECT \"SSN\" FROM (SELECT ssn AS \"SSN\" FROM public.\"customers\") q",
        // MASK-06: aggregation and serialisation.
        "SELECT string_agg(email, ','), array_agg(ssn), json_agg(phone), jsonb_agg(api_key) FROM customers",
        "SELECT json_agg(c) FROM customers c",
        "SELECT xmlagg(xmlelement(name e, email)) FROM customers",
        "SELECT query_to_xml('select ssn, email from customers', true, true, '')",
        "SELECT table_to_xml('customers', true, true, '')",
        // MASK-07: encodings and transforms.
        "SELECT encode(convert_to(ssn, 'UTF8'), 'hex'), encode(convert_to(email, 'UTF8'), 'base64') FROM customers",
        "SELECT reverse(ssn), translate(ssn, '-', ''), replace(phone, ' ', ''), md5(email), sha256(convert_to(api_key, 'UTF8')) FROM customers",
        "SELECT convert_to(phone, 'UTF8'), ssn::bytea FROM customers",
        // Functions that read protected columns taint their callers.
        "SELECT customer_report(1)",
        // MASK-16: non-text types and composites.
        "SELECT card_number, salary, profile, aliases FROM customers",
        "SELECT profile -> 'secret', aliases[1] FROM customers");

    public async ValueTask InitializeAsync() => _gateway = await MaskedGateway.StartAsync(postgres);

    public ValueTask DisposeAsync() => _gateway.DisposeAsync();

    [Theory]
    [MemberData(nameof(Shapes))]
    public async Task Npgsql_QueryShape_NoProtectedValueReachesTheClient(string sql)
    {
        string output = await _gateway.QueryAsync(sql);
        Assert.NotEmpty(output);
        Assert.Empty(_gateway.Database.LeaksIn(output));
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public async Task NpgsqlPrepared_QueryShape_NoProtectedValueReachesTheClient(string sql)
    {
        string output = await _gateway.QueryAsync(sql, prepare: true);
        Assert.NotEmpty(output);
        Assert.Empty(_gateway.Database.LeaksIn(output));
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public async Task Psql_QueryShape_NoProtectedValueReachesTheClient(string sql)
    {
        (int exitCode, string output) = await _gateway.PsqlAsync(sql);
        Assert.True(exitCode == 0, output);
        Assert.NotEmpty(output.Trim());
        Assert.Empty(_gateway.Database.LeaksIn(output));
    }

    [Fact]
    public async Task Masking_UnprotectedColumnsAndTables_ArriveUnchanged()
    {
        string customers = await _gateway.QueryAsync("SELECT id, name, country, notes FROM customers ORDER BY id");
        string orders = await _gateway.QueryAsync("SELECT id, customer_id, total FROM orders ORDER BY id");

        foreach (MaskingDatabase.Customer person in _gateway.Database.People)
        {
            Assert.Contains($"{person.Id}|{person.Name}|country-{person.Id % 3}|note for customer {person.Id}|", customers, StringComparison.Ordinal);
            Assert.Contains($"{person.Id * 10}|{person.Id}|{person.Id * 100}.5|", orders, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Masking_EachStyle_WritesAValueValidForItsType()
    {
        await using NpgsqlConnection connection = await _gateway.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT email, ssn, phone, card_number, salary, profile, aliases FROM customers WHERE id = 3", connection);
        await using NpgsqlDataReader reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());

        string token = reader.GetString(0);
        Assert.Equal("[redacted]", reader.GetString(1));
        string phone = reader.GetString(2);
        Assert.EndsWith("03", phone, StringComparison.Ordinal);
        Assert.DoesNotContain("415", phone, StringComparison.Ordinal);
        Assert.True(reader.IsDBNull(3), "card_number (bigint, style null) is NULL");
        Assert.True(reader.IsDBNull(4), "salary (numeric, style redact) becomes NULL: no redaction text fits a number");
        Assert.Equal("\"[redacted]\"", reader.GetString(5));
        Assert.True(reader.IsDBNull(6), "a text[] value becomes NULL");
        Assert.DoesNotContain("person3", token, StringComparison.Ordinal);

        // Tokens are stable: equal inputs give equal tokens (joins and grouping keep working), different ones differ.
        string again = await _gateway.QueryAsync("SELECT email FROM customers WHERE id = 3");
        string other = await _gateway.QueryAsync("SELECT email FROM customers WHERE id = 4");
        Assert.Equal(token + "|", again.Trim());
        Assert.NotEqual(token + "|", other.Trim());
    }

    [Fact]
    public async Task Masking_Cursor_MasksEveryFetchSize()
    {
        await using NpgsqlConnection connection = await _gateway.OpenAsync();
        await using NpgsqlTransaction transaction = await connection.BeginTransactionAsync();
        await new NpgsqlCommand("DECLARE leak CURSOR FOR SELECT ssn, email AS e FROM customers", connection, transaction).ExecuteNonQueryAsync();
        string output = string.Empty;
        foreach (string fetch in new[] { "FETCH 1 FROM leak", "FETCH 3 FROM leak", "FETCH ALL FROM leak" })
        {
            output += await MaskedGateway.QueryAsync(connection, fetch);
        }

        Assert.Equal(MaskingDatabase.Customers, output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.Empty(_gateway.Database.LeaksIn(output));
    }

    [Fact]
    public async Task Masking_SqlPrepareAndExecute_MasksTheResult()
    {
        await using NpgsqlConnection connection = await _gateway.OpenAsync();
        await new NpgsqlCommand("PREPARE leak AS SELECT upper(ssn) FROM customers", connection).ExecuteNonQueryAsync();
        string output = await MaskedGateway.QueryAsync(connection, "EXECUTE leak");

        Assert.Equal(MaskingDatabase.Customers, output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.Empty(_gateway.Database.LeaksIn(output));
    }

    [Fact]
    public async Task Masking_Multiplexing_MasksEveryConcurrentCommand()
    {
        var builder = new NpgsqlConnectionStringBuilder(_gateway.Rig.ConnectionString()) { Pooling = true, Multiplexing = true, MaxPoolSize = 2 };
        await using NpgsqlDataSource source = NpgsqlDataSource.Create(builder);
        string[] outputs = await Task.WhenAll(Enumerable.Range(0, 8).Select(async i =>
        {
            await using NpgsqlCommand command = source.CreateCommand(i % 2 == 0 ? "SELECT ssn, email FROM customers" : "SELECT upper(phone) FROM customers");
            await using NpgsqlDataReader reader = await command.ExecuteReaderAsync();
            var text = new System.Text.StringBuilder();
            while (await reader.ReadAsync())
            {
                text.Append(MaskedGateway.Render(reader.GetValue(0))).Append('\n');
            }

            return text.ToString();
        }));

        Assert.All(outputs, output => Assert.Equal(MaskingDatabase.Customers, output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length));
        Assert.Empty(_gateway.Database.LeaksIn(string.Concat(outputs)));
    }

    [Fact]
    public async Task Masking_Statistics_CountValuesPerRuleAndRows()
    {
        await _gateway.QueryAsync("SELECT ssn, upper(email), name FROM customers");
        MaskingStatistics statistics = _gateway.Statistics.Last();

        Assert.Equal(MaskingDatabase.Customers, statistics.ByRule["public.customers.ssn"]);
        Assert.Equal(MaskingDatabase.Customers, statistics.ByRule["(expression in a statement that reads protected data)"]);
        Assert.True(statistics.RowsReturned >= MaskingDatabase.Customers);
    }

    [Fact]
    public async Task Masking_ViewCreatedAfterTheCatalogWasRead_IsMaskedUntilTheCatalogIsReloaded()
    {
        string view = "late_view_" + Guid.NewGuid().ToString("N")[..8];
        await _gateway.Database.ExecuteAsync($"CREATE VIEW {view} AS SELECT id, name, ssn AS number FROM customers; GRANT SELECT ON {view} TO {MaskingDatabase.Reader}");
        try
        {
            string before = await _gateway.QueryAsync($"SELECT id, name, number FROM {view} ORDER BY id");
            Assert.Empty(_gateway.Database.LeaksIn(before));
            Assert.DoesNotContain(_gateway.Database.People[0].Name, before, StringComparison.Ordinal);
            Assert.NotEmpty(_gateway.UnknownRelations);

            _gateway.Catalog = await _gateway.Database.LoadCatalogAsync();
            string after = await _gateway.QueryAsync($"SELECT id, name, number FROM {view} ORDER BY id");

            Assert.Empty(_gateway.Database.LeaksIn(after));
            Assert.Contains("[redacted]", after, StringComparison.Ordinal);
        }
        finally
        {
            await _gateway.Database.ExecuteAsync($"DROP VIEW {view}");
        }
    }

    [Fact]
    public async Task Masking_ContentDetectors_MaskValuesInUnprotectedColumnsButNotLookalikes()
    {
        // Free text with an e-mail address and a card_number number in a column no rule protects; and order references of
        // sixteen digits that fail the Luhn check, which must pass.
        string output = await _gateway.QueryAsync("SELECT 'write to jane.doe@corp.example or pay with 4111 1111 1111 1111', reference FROM orders ORDER BY id");

        Assert.DoesNotContain("jane.doe@corp.example", output, StringComparison.Ordinal);
        Assert.DoesNotContain("4111 1111 1111 1111", output, StringComparison.Ordinal);
        foreach (MaskingDatabase.Customer person in _gateway.Database.People.Where(p => !Luhn($"{1234567812345670 + p.Id}")))
        {
            Assert.Contains($"ORD-{1234567812345670 + person.Id}", output, StringComparison.Ordinal);
        }
    }

    private static bool Luhn(string digits)
    {
        int sum = 0;
        for (int i = 0; i < digits.Length; i++)
        {
            int digit = digits[digits.Length - 1 - i] - '0';
            if (i % 2 == 1)
            {
                digit = digit * 2 > 9 ? (digit * 2) - 9 : digit * 2;
            }

            sum += digit;
        }

        return sum % 10 == 0;
    }
}
