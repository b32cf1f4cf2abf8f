using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Gateway.Core.Authentication;
using Gateway.Core.Configuration;
using Gateway.Core.Masking;
using Npgsql;

namespace Gateway.Testing;

/// <summary>
/// A database with protected customer data, set up once per test run on the shared <see cref="PostgresServer"/>:
/// tables and views over generated fake people, the read and write roles of <c>docs/roles.sql</c>, and the
/// masking policy the masking tests use. <see cref="ProtectedValues"/> lists every protected value in the forms
/// an agent could turn it into (hex, base64, reversed, digits only, hashes), so a test can assert that none of
/// them reaches the client.
/// </summary>
public sealed class MaskingDatabase
{
    public const string Name = "masking";
    public const string Reader = "gw_mask_reader";
    public const string Writer = "gw_mask_writer";
    public const string ReaderPassword = "mask-reader-secret";
    public const string WriterPassword = "mask-writer-secret";
    public const int Customers = 12;

    private static readonly Lock Gate = new();
    private static Task<MaskingDatabase>? _instance;

    private MaskingDatabase(PostgresServer postgres, IReadOnlyList<Customer> customers)
    {
        Postgres = postgres;
        People = customers;
        ProtectedValues = [.. customers.SelectMany(c => Forms(c.Email).Concat(Forms(c.Ssn)).Concat(Forms(c.Phone)).Concat(Forms(c.CardNumber)).Concat(Forms(c.Salary)).Concat(Forms(c.ApiKey)))
            .Distinct(StringComparer.Ordinal)];
    }

    public PostgresServer Postgres { get; }

    public IReadOnlyList<Customer> People { get; }

    /// <summary>Every protected value and its obvious encodings.</summary>
    public IReadOnlyList<string> ProtectedValues { get; }

    public string AdminConnectionString => $"Host={Postgres.Host};Port={Postgres.Port};Username=postgres;Password={PostgresServer.SuperuserPassword};Database={Name};Pooling=false";

    public static MaskingPolicy Policy { get; } = new()
    {
        Columns =
        [
            new ProtectedColumn("public", "customers", "email", MaskStyle.Token),
            new ProtectedColumn("public", "customers", "ssn"),
            new ProtectedColumn("public", "customers", "phone", MaskStyle.Partial) { KeepLast = 2 },
            new ProtectedColumn("public", "customers", "card_number", MaskStyle.Null),
            new ProtectedColumn("public", "customers", "salary"),
            new ProtectedColumn("public", "customers", "api_key"),
            new ProtectedColumn("public", "customers", "profile"),
            new ProtectedColumn("public", "customers", "aliases"),
        ],
        TokenKey = Encoding.UTF8.GetBytes("test token key, not for production use"),
    };

    /// <summary>Creates the database on first use; later callers share it.</summary>
    public static Task<MaskingDatabase> GetAsync(PostgresServer postgres)
    {
        postgres.EnsureAvailable();
        lock (Gate)
        {
            return _instance ??= CreateAsync(postgres);
        }
    }

    /// <summary>Loads the catalog the way the host does: the policy's queries on a connection of the gateway's own.</summary>
    public async Task<MaskingCatalog> LoadCatalogAsync(MaskingPolicy? policy = null)
    {
        await using var connection = new NpgsqlConnection(AdminConnectionString);
        await connection.OpenAsync();
        return await MaskingCatalog.LoadAsync(policy ?? Policy, (sql, cancellationToken) => QueryAsync(connection, sql, cancellationToken), TimeProvider.System, CancellationToken.None);
    }

    /// <summary>An upstream target for the read or write role of this database.</summary>
    public UpstreamTarget Target(bool write = false) => new()
    {
        Name = GatewayRig.Target,
        EndPoint = new IPEndPoint(IPAddress.Loopback, Postgres.Port),
        HostName = "localhost",
        Database = Name,
        User = write ? Writer : Reader,
        Password = new UpstreamSecret(write ? WriterPassword : ReaderPassword),
    };

    public async Task ExecuteAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(AdminConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>The protected values (in any form) found in <paramref name="text"/>.</summary>
    public IReadOnlyList<string> LeaksIn(string text) => [.. ProtectedValues.Where(value => text.Contains(value, StringComparison.OrdinalIgnoreCase))];

    private static async Task<IReadOnlyList<string?[]>> QueryAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await using NpgsqlDataReader reader = await command.ExecuteReaderAsync(cancellationToken);
        var rows = new List<string?[]>();
        while (await reader.ReadAsync(cancellationToken))
        {
            var row = new string?[reader.FieldCount];
            for (int i = 0; i < row.Length; i++)
            {
                row[i] = reader.IsDBNull(i) ? null : Convert.ToString(reader.GetValue(i), CultureInfo.InvariantCulture);
            }

            rows.Add(row);
        }

        return rows;
    }

    private static async Task<MaskingDatabase> CreateAsync(PostgresServer postgres)
    {
        List<Customer> customers = [.. Enumerable.Range(1, Customers).Select(Customer.Create)];
        await postgres.PsqlAsync($"DROP DATABASE IF EXISTS {Name}; CREATE DATABASE {Name};");
        var insert = new StringBuilder();
        foreach (Customer c in customers)
        {
            insert.Append(CultureInfo.InvariantCulture,
                $"INSERT INTO customers VALUES ({c.Id}, '{c.Name}', '{c.Email}', '{c.Ssn}', '{c.Phone}', {c.CardNumber}, {c.Salary}, '{c.ApiKey}', '{{\"vip\": true, \"secret\": \"{c.ApiKey}\"}}', ARRAY['{c.ApiKey}-alias'], 'country-{c.Id % 3}', 'note for customer {c.Id}');\n");
            insert.Append(CultureInfo.InvariantCulture, $"INSERT INTO orders VALUES ({c.Id * 10}, {c.Id}, {c.Id * 100 + 0.5m}, 'ORD-{1234567812345670 + c.Id}');\n");
        }

        string roles = await File.ReadAllTextAsync(Path.Combine(RepositoryRoot(), "docs", "roles.sql"));
        await postgres.PsqlAsync($"""
            CREATE TABLE customers (
                id int PRIMARY KEY, name text NOT NULL, email text UNIQUE, ssn text, phone text, card_number bigint,
                salary numeric, api_key varchar(60), profile jsonb, aliases text[], country text CHECK (country <> 'XX'), notes text);
            CREATE TABLE orders (id int PRIMARY KEY, customer_id int REFERENCES customers (id), total numeric NOT NULL, reference text);
            {insert}
            CREATE VIEW customer_contacts AS SELECT id, name, email AS contact FROM customers;
            CREATE VIEW contact_names AS SELECT id, upper(contact) AS shout FROM customer_contacts;
            CREATE VIEW order_totals AS SELECT id, total FROM orders;
            CREATE MATERIALIZED VIEW customer_secrets AS SELECT id, api_key AS code FROM customers;
            CREATE FUNCTION customer_report(int) RETURNS text LANGUAGE sql STABLE AS 'SELECT name || '' <'' || email || ''>'' FROM customers WHERE id = $1';
            CREATE STATISTICS customers_country_ssn (mcv) ON country, ssn FROM customers;
            ANALYZE;
            \set database {Name}
            \set schema public
            \set reader {Reader}
            \set reader_password {ReaderPassword}
            \set writer {Writer}
            \set writer_password {WriterPassword}
            {roles}
            GRANT SELECT ON ALL TABLES IN SCHEMA public TO {Reader};
            GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {Writer};
            """, Name);
        return new MaskingDatabase(postgres, customers);
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "GatewayCore.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("repository root (GatewayCore.sln) not found above " + AppContext.BaseDirectory);
    }

    /// <summary>A value and what an agent could make of it with SQL: case, hex, base64, reversed, digits only, md5, sha256.</summary>
    private static IEnumerable<string> Forms(string value)
    {
        byte[] utf8 = Encoding.UTF8.GetBytes(value);
        yield return value;
        yield return Convert.ToHexStringLower(utf8);
        yield return Convert.ToBase64String(utf8).TrimEnd('=');
        yield return new string([.. value.Reverse()]);
        string digits = new([.. value.Where(char.IsAsciiDigit)]);
        if (digits.Length >= 6)
        {
            yield return digits;
        }

        yield return Convert.ToHexStringLower(MD5.HashData(utf8));
        yield return Convert.ToHexStringLower(SHA256.HashData(utf8));
    }

    /// <summary>A fake person. Numbers are valid for their detectors (SSN ranges, Luhn) so detectors would also fire.</summary>
    public sealed record Customer(int Id, string Name, string Email, string Ssn, string Phone, string CardNumber, string Salary, string ApiKey)
    {
        public static Customer Create(int id)
        {
            string card = LuhnComplete($"4{id:D2}7{id * 7919 % 1000000000:D9}12");
            return new Customer(
                id,
                $"Person Number{id}",
                $"person{id}.private@mailbox{id}.example",
                $"{100 + id:D3}-{20 + id:D2}-{3000 + id:D4}",
                $"+1 415 555 {7000 + id:D4}",
                card,
                (87000 + (id * 1013) + 0.25m).ToString(CultureInfo.InvariantCulture),
                $"sk_live_zq{id}xv{id * 31}kw{id * 7}t");
        }

        private static string LuhnComplete(string partial)
        {
            int sum = 0;
            for (int i = 0; i < partial.Length; i++)
            {
                int digit = partial[partial.Length - 1 - i] - '0';
                if (i % 2 == 0)
                {
                    digit *= 2;
                    if (digit > 9)
                    {
                        digit -= 9;
                    }
                }

                sum += digit;
            }

            return partial + ((10 - (sum % 10)) % 10).ToString(CultureInfo.InvariantCulture);
        }
    }
}
