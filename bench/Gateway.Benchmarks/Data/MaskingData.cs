using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Gateway.Core.Masking;

namespace Gateway.Benchmarks.Data;

/// <summary>
/// Fixtures of <see cref="Masking.DataRowMaskingBenchmarks"/>: row streams of one result as a server sends them,
/// built once from <see cref="WireData.Seed"/>, and the catalogs that say which of their columns are protected.
/// </summary>
public static class MaskingData
{
    /// <summary>DataRows per fixture; one benchmark operation is one of them.</summary>
    public const int Rows = 1000;

    /// <summary>The OID of the fixtures' table.</summary>
    public const uint TableOid = 16400;

    private const uint Int4 = 23;
    private const uint Text = 25;
    private const uint Timestamp = 1114;

    /// <summary>A customers-like table of 10 columns: id, name, email, phone, card_number, street, city, country, status, created.</summary>
    private static readonly (string Name, uint Type)[] CustomerColumns =
    [
        ("id", Int4), ("name", Text), ("email", Text), ("phone", Text), ("card_number", Text),
        ("street", Text), ("city", Text), ("country", Text), ("status", Text), ("created", Timestamp),
    ];

    /// <summary>pgbench-compare.sh's wide_rows; attribute numbers 1-7 of the same table OID.</summary>
    private static readonly (string Name, uint Type)[] WideColumns =
    [
        ("id", Int4), ("email", Text), ("full_name", Text), ("phone", Text), ("card_number", Text), ("street", Text), ("note", Text),
    ];

    private static readonly string[] Words =
    [
        "the", "order", "shipped", "customer", "asked", "about", "delivery", "window", "and", "was", "told", "that",
        "warehouse", "north", "will", "handle", "returns", "invoice", "pending", "review", "by", "finance", "team",
        "ticket", "escalated", "after", "second", "call", "please", "confirm", "address", "before", "dispatch",
        "item", "damaged", "replacement", "approved", "note:", "follow-up", "scheduled", "(priority)", "low", "high",
    ];

    static MaskingData()
    {
        var random = new Random(WireData.Seed);
        CustomerRowDescription = RowDescription(CustomerColumns);
        CustomerRows = Build(random, CustomerRow);
        TextRowDescription = RowDescription([.. Enumerable.Range(1, 10).Select(i => ("text" + i.ToString(CultureInfo.InvariantCulture), Text))]);
        TextRows = Build(random, TextRow);
        WideRowDescription = RowDescription(WideColumns);
        WideRows = Build(random, WideRow);
        Query = Encoding.UTF8.GetBytes("SELECT * FROM bench_rows WHERE id BETWEEN 1 AND 1000\0");
    }

    /// <summary>RowDescription payload (after type and length) of the customers-like result, text format.</summary>
    public static byte[] CustomerRowDescription { get; }

    /// <summary><see cref="Rows"/> customers-like DataRow frames (type and length included), back to back.</summary>
    public static RowStream CustomerRows { get; }

    /// <summary>RowDescription payload of the text-heavy result: 10 text columns.</summary>
    public static byte[] TextRowDescription { get; }

    /// <summary><see cref="Rows"/> text-heavy DataRow frames: 10 columns of prose with digits, dates and, in about one
    /// value in 16, an e-mail address or a phone number for the detectors to find.</summary>
    public static RowStream TextRows { get; }

    /// <summary>RowDescription payload of pgbench-compare.sh's wide workload: id, email, full_name, phone, card_number, street, note.</summary>
    public static byte[] WideRowDescription { get; }

    /// <summary>
    /// <see cref="Rows"/> rows of pgbench-compare.sh's <c>wide_rows</c> table (ids 1-1000), generated as its SQL does:
    /// md5-derived names, streets and notes, so hex text full of short digit runs.
    /// </summary>
    public static RowStream WideRows { get; }

    /// <summary>The Query payload the client sends before the result.</summary>
    public static byte[] Query { get; }

    /// <summary>
    /// The catalog of the fixtures' table, under <paramref name="policy"/>: one relation with the customers-like
    /// columns (the text-heavy result reuses its OID with attributes 1-10, so the same catalog serves both), or with
    /// <paramref name="wide"/> the wide_rows columns.
    /// </summary>
    public static MaskingCatalog Catalog(MaskingPolicy policy, bool wide = false)
    {
        var rows = new List<string?[]>();
        (string Name, uint Type)[] columns = wide ? WideColumns : CustomerColumns;
        for (int i = 0; i < columns.Length; i++)
        {
            rows.Add([TableOid.ToString(CultureInfo.InvariantCulture), "public", "bench_rows", "r", (i + 1).ToString(CultureInfo.InvariantCulture),
                columns[i].Name, columns[i].Type.ToString(CultureInfo.InvariantCulture)]);
        }

        return MaskingCatalog.Build(policy, rows, [], [], DateTimeOffset.UnixEpoch);
    }

    private static byte[] RowDescription((string Name, uint Type)[] columns)
    {
        byte[] message = new PgWire().RowDescription([.. columns.Select((c, i) => (c.Name, TableOid, (short)(i + 1), c.Type, (short)0))]).ToArray();
        return message[5..];
    }

    private static RowStream Build(Random random, Func<Random, int, byte[]?[]> row)
    {
        var wire = new PgWire();
        int[] offsets = new int[Rows + 1];
        for (int i = 0; i < Rows; i++)
        {
            offsets[i] = wire.Length;
            wire.DataRow(row(random, i));
        }

        offsets[Rows] = wire.Length;
        return new RowStream(wire.ToArray(), offsets);
    }

    private static byte[]?[] CustomerRow(Random random, int i)
    {
        string first = Pick(random, ["anna", "bruno", "chen", "dana", "emil", "farah", "gita", "hugo"]);
        string last = Pick(random, ["smith", "garcia", "nguyen", "kowalski", "okafor", "larsen", "rossi", "tanaka"]);
        return
        [
            U(random.Next(1, 10_000_000).ToString(CultureInfo.InvariantCulture)),
            U($"{char.ToUpperInvariant(first[0])}{first[1..]} {char.ToUpperInvariant(last[0])}{last[1..]}"),
            U($"{first}.{last}{i}@example.com"),
            U($"+1 415 555 {random.Next(0, 10000):D4}"),
            U($"4111 1111 {random.Next(1000, 10000)} {random.Next(1000, 10000)}"),
            U($"{random.Next(1, 9999)} {Pick(random, ["Market", "Mission", "Valencia", "Folsom"])} Street, Apt {random.Next(1, 99)}"),
            U(Pick(random, ["San Francisco", "Oakland", "Berkeley", "San Jose"])),
            U("US"),
            i % 7 == 0 ? null : U(Pick(random, ["active", "suspended", "closed"])),
            U($"2024-{random.Next(1, 13):D2}-{random.Next(1, 29):D2} {random.Next(0, 24):D2}:{random.Next(0, 60):D2}:{random.Next(0, 60):D2}"),
        ];
    }

    /// <summary>Row <paramref name="i"/> + 1 of wide_rows, as pgbench-compare.sh's INSERT … SELECT generates it.</summary>
    private static byte[]?[] WideRow(Random random, int i)
    {
        long g = i + 1;
        string[] domains = ["example.com", "mail.example.org", "corp.example.net", "inbox.test"];
        return
        [
            U(g.ToString(CultureInfo.InvariantCulture)),
            U(Md5("f" + g)[..6] + "." + Md5("l" + g)[..9] + "@" + domains[g % 4]),
            U(InitCap(Md5("a" + g)[..7]) + " " + InitCap(Md5("b" + g)[..10])),
            U("+1-" + (g * 7919 % 1000).ToString("D3", CultureInfo.InvariantCulture) + "-555-" + (g % 10000).ToString("D4", CultureInfo.InvariantCulture)),
            U("4" + (g * 2654435761 % 1000000000000000).ToString("D15", CultureInfo.InvariantCulture)),
            U(((g * 31 % 9999) + 1).ToString(CultureInfo.InvariantCulture) + " " + InitCap(Md5("s" + g)[..8]) + " Street, Springfield"),
            U(Md5("n" + g) + " " + Md5("m" + g)),
        ];

        static string Md5(string text) => Convert.ToHexStringLower(MD5.HashData(Encoding.UTF8.GetBytes(text)));

        // PostgreSQL's initcap: upper-case the first letter of each run of letters and digits, lower-case the rest.
        static string InitCap(string text)
        {
            var result = new StringBuilder(text.Length);
            bool inWord = false;
            foreach (char c in text)
            {
                result.Append(inWord ? char.ToLowerInvariant(c) : char.ToUpperInvariant(c));
                inWord = char.IsAsciiLetterOrDigit(c);
            }

            return result.ToString();
        }
    }

    private static byte[]?[] TextRow(Random random, int i)
    {
        var values = new byte[]?[10];
        for (int c = 0; c < values.Length; c++)
        {
            var text = new StringBuilder();
            int words = random.Next(8, 16);
            for (int w = 0; w < words; w++)
            {
                if (w > 0)
                {
                    text.Append(' ');
                }

                switch (random.Next(12))
                {
                    case 0:
                        text.Append(CultureInfo.InvariantCulture, $"#{random.Next(1000, 99999)}");
                        break;
                    case 1:
                        text.Append(CultureInfo.InvariantCulture, $"2024-{random.Next(1, 13):D2}-{random.Next(1, 29):D2}");
                        break;
                    default:
                        text.Append(Pick(random, Words));
                        break;
                }
            }

            switch (random.Next(32))
            {
                case 0:
                    text.Append(CultureInfo.InvariantCulture, $" contact jane.doe{i}@example.org");
                    break;
                case 1:
                    text.Append(CultureInfo.InvariantCulture, $" call (415) 555-{random.Next(0, 10000):D4}");
                    break;
            }

            values[c] = U(text.ToString());
        }

        return values;
    }

    private static string Pick(Random random, string[] choices) => choices[random.Next(choices.Length)];

    private static byte[] U(string text) => Encoding.UTF8.GetBytes(text);

    /// <summary>DataRow frames back to back, and where each starts (the last offset is the end).</summary>
    public sealed record RowStream(byte[] Bytes, int[] Offsets)
    {
        public int Count => Offsets.Length - 1;

        /// <summary>Average frame size in bytes, type byte included.</summary>
        public double BytesPerRow => (double)Bytes.Length / Count;
    }
}
