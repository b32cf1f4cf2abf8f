using System.Globalization;
using System.Text;

namespace Gateway.Core.Tests.Masking;

/// <summary>
/// Text with no personal data or secrets in it, of the kinds that flow through a database gateway: application logs,
/// SQL, JSON documents, CSV of numbers, identifiers (UUIDs, hashes, order numbers, snowflakes), timestamps and dates,
/// network addresses and versions, base64 and hex data, prose. The content detectors must find nothing in it.
/// Drawn from one fixed seed, so a failure names a line that can be reproduced.
/// </summary>
/// <remarks>
/// What is deliberately not in it, because a content detector cannot tell it from the real thing and masks it:
/// 13-19 digit numbers that pass the Luhn check with a card issuer's prefix (the order numbers here fail Luhn, which
/// is MASK-09's case; <c>Scan_RandomSixteenAndNineteenDigitIds_MaskedOnlyWhenLuhnValid</c> measures the rest),
/// <c>password=…</c> style assignments, and SSH remotes such as <c>git@github.com:org/repo</c> (an address).
/// </remarks>
internal static class NonPiiCorpus
{
    public const int Seed = 43134114;

    private static readonly string[] Words =
    [
        "the", "order", "was", "shipped", "after", "review", "and", "payment", "cleared", "batch", "job", "finished",
        "without", "errors", "retry", "scheduled", "cache", "warmed", "in", "seconds", "customer", "requested", "a",
        "refund", "for", "item", "invoice", "generated", "report", "exported", "to", "storage", "token", "bucket",
        "refilled", "secret", "santa", "list", "updated", "password", "policy", "requires", "rotation", "every",
        "days", "phone", "support", "hours", "are", "card", "game", "night", "social", "media", "security", "review",
        "API", "key", "rotation", "scheduled", "Account", "Settings", "Admin", "Alpha", "Beta", "AKA", "ASAP", "Jenkins",
        "JSON", "JIRA", "eyes", "only", "email", "template", "approved", "IBAN", "format", "validation", "added",
    ];

    private static readonly string[] Levels = ["INFO", "WARN", "DEBUG", "ERROR", "TRACE"];

    private static readonly string[] Paths = ["/api/v1/orders", "/api/v2/items", "/healthz", "/metrics", "/api/v1/users/search"];

    public static IEnumerable<string> Lines(int count)
    {
        var random = new Random(Seed);
        for (int i = 0; i < count; i++)
        {
            yield return Line(random);
        }
    }

    private static string Line(Random random) => random.Next(16) switch
    {
        0 => LogLine(random),
        1 => Sql(random),
        2 => Json(random),
        3 => NumbersCsv(random),
        4 => Identifiers(random),
        5 => Prose(random),
        6 => Network(random),
        7 => Base64Data(random),
        8 => HexDump(random),
        9 => Dates(random),
        10 => OrderNumbers(random),
        11 => Urls(random),
        12 => Containers(random),
        13 => Measurements(random),
        14 => StackTrace(random),
        _ => KeyValues(random),
    };

    private static string LogLine(Random random)
        => FormattableString.Invariant(
            $"{Timestamp(random):yyyy-MM-ddTHH:mm:ss.fffZ} {Levels[random.Next(Levels.Length)]} [worker-{random.Next(32)}] Gateway.Relay - request_id={Uuid(random)} user_id={random.Next(1, 10_000_000)} duration_ms={random.NextDouble() * 900:F3} status={Status(random)} path={Paths[random.Next(Paths.Length)]}/{random.Next(1, 1_000_000)}?page={random.Next(1, 50)}&sort=desc");

    private static string Sql(Random random) => random.Next(3) switch
    {
        0 => FormattableString.Invariant(
            $"SELECT o.id, o.total, c.name FROM orders o JOIN customers c ON c.id = o.customer_id WHERE o.created_at >= '{Timestamp(random):yyyy-MM-dd HH:mm:ss}' AND o.total > {random.Next(10_000) / 100.0:F2} ORDER BY o.id LIMIT {random.Next(1, 500)};"),
        1 => FormattableString.Invariant(
            $"INSERT INTO events (id, ts, kind, payload) VALUES ({random.NextInt64(1, 9_000_000_000)}, '{Timestamp(random):O}', 'sync', '{{\"n\": {random.Next(1000)}}}') RETURNING id;"),
        _ => FormattableString.Invariant(
            $"UPDATE pgbench_accounts SET abalance = abalance + {random.Next(-5000, 5000)} WHERE aid = {random.Next(1, 10_000_001)}; -- tx {random.Next()}"),
    };

    private static string Json(Random random)
        => FormattableString.Invariant(
            $"{{\"id\":{random.Next(1, 100_000_000)},\"sku\":\"AB-{random.Next(1000, 9999)}-XY\",\"price\":{random.NextDouble().ToString("R", CultureInfo.InvariantCulture)},\"qty\":{random.Next(1, 20)},\"created\":\"{Timestamp(random):O}\",\"tags\":[\"{Word(random)}\",\"{Word(random)}\"],\"version\":\"{random.Next(20)}.{random.Next(20)}.{random.Next(100)}\",\"ip\":\"{Ip(random)}\",\"trace_id\":\"{Hex(random, 32)}\",\"ratio\":{random.NextDouble() * 1e-5:E15}}}");

    private static string NumbersCsv(Random random)
        => FormattableString.Invariant(
            $"{random.Next()},{random.NextInt64(1_000_000_000L, 9_000_000_000L)},{(random.NextDouble() * 1000).ToString("R", CultureInfo.InvariantCulture)},{random.Next(1_000_000) / 100.0:N2},{random.Next(100)}%,{new DateTimeOffset(Timestamp(random)).ToUnixTimeMilliseconds()},{new DateTimeOffset(Timestamp(random)).ToUnixTimeMilliseconds() * 1_000_000},{-random.NextDouble():R}");

    private static string Identifiers(Random random)
        => FormattableString.Invariant(
            $"uuid {Uuid(random)} commit {Hex(random, 40)} sha256:{Hex(random, 64)} snowflake {random.NextInt64(1_100_000_000_000_000_000, 1_999_999_999_999_999_999)} object 0x{Hex(random, 12)} run #{random.Next(100_000)}");

    private static string Prose(Random random)
    {
        var sentence = new StringBuilder();
        int words = random.Next(8, 30);
        for (int i = 0; i < words; i++)
        {
            string word = Word(random);
            sentence.Append(i == 0 ? char.ToUpperInvariant(word[0]) + word[1..] : word);
            sentence.Append(i == words - 1 ? ". " : random.Next(8) == 0 ? ", " : " ");
        }

        return sentence.ToString().TrimEnd();
    }

    private static string Network(Random random)
        => FormattableString.Invariant(
            $"nginx/1.{random.Next(30)}.{random.Next(10)} OpenSSL/3.0.{random.Next(20)} listening on {Ip(random)}:{random.Next(1024, 65535)} and [2001:db8::{random.Next(0xffff):x}]:443 build {Timestamp(random):yyyy.MM.dd}.{random.Next(10_000)} mac {Hex(random, 2)}:{Hex(random, 2)}:{Hex(random, 2)}:{Hex(random, 2)}:{Hex(random, 2)}:{Hex(random, 2)} cidr 10.{random.Next(256)}.0.0/16");

    private static string Base64Data(Random random)
    {
        byte[] data = new byte[random.Next(3) switch { 0 => 30, 1 => 32, _ => random.Next(10, 200) }];
        random.NextBytes(data);
        string json = Convert.ToBase64String(Encoding.UTF8.GetBytes(FormattableString.Invariant($"{{\"page\":{random.Next(100)},\"size\":{random.Next(100)}}}")));
        return $"data:application/octet-stream;base64,{Convert.ToBase64String(data)} cursor={json} etag=\"{Convert.ToBase64String(data, 0, 10)}\"";
    }

    private static string HexDump(Random random)
    {
        var dump = new StringBuilder();
        dump.Append(FormattableString.Invariant($"{random.Next(0x10000):x8}: "));
        for (int i = 0; i < 16; i++)
        {
            dump.Append(Hex(random, 2)).Append(i == 7 ? "  " : " ");
        }

        return dump.Append(" |..Ok..|").ToString();
    }

    private static string Dates(Random random)
    {
        DateTime t = Timestamp(random);
        return FormattableString.Invariant(
            $"{t:yyyy-MM-dd} {t:dd/MM/yyyy} {t:MM.dd.yyyy} {t:HH:mm:ss.ffffff} {t:yyyy-MM-ddTHH:mm:sszzz}+05:30 week {t:yyyy}-W{random.Next(1, 53):D2} took 1h{random.Next(60)}m{random.Next(60)}s offset +0000 at {new DateTimeOffset(t).ToUnixTimeSeconds()}");
    }

    private static string OrderNumbers(Random random)
        => FormattableString.Invariant(
            $"order {LuhnFailing(random, 16)} ref {Luhn.RandomDigits(random, 20, "123456789")} invoice INV-{random.Next(2019, 2027)}-{random.Next(1_000_000):D6} ticket {random.NextInt64(1_000_000_000, 9_999_999_999)} tracking 1Z{Hex(random, 6).ToUpperInvariant()}{random.NextInt64(10_000_000_000):D10} po {random.Next(100_000, 999_999)}-{random.Next(10_000, 99_999)}");

    private static string Urls(Random random)
        => FormattableString.Invariant(
            $"GET https://cdn.example.com/assets/icon@2x.png?v={random.Next()} 200 {random.Next(100_000)} \"https://shop.example.com/p/{random.Next(1_000_000)}?utm_source=news&q=a+b\" \"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/{random.Next(100, 130)}.0.{random.Next(9999)}.{random.Next(999)}\"");

    private static string Containers(Random random)
        => FormattableString.Invariant(
            $"image: registry.example.com/app@sha256:{Hex(random, 64)} pip install requests@2.{random.Next(40)}.{random.Next(9)} npm i @scope/pkg@^1.{random.Next(9)}.0 java.lang.Object@{Hex(random, 8)}");

    private static string Measurements(Random random)
        => FormattableString.Invariant(
            $"lat={random.NextDouble() * 180 - 90:F6}, lon={random.NextDouble() * 360 - 180:F6} temp={random.NextDouble() * 40:F1}C amount=EUR {random.Next(1_000_000) / 100.0:N2} ratio {random.Next(100)}:{random.Next(100)} score {random.NextDouble():R} delta {random.Next(-1000, 1000):+0;-0} exp 1.{random.Next(1000)}e+{random.Next(20)}");

    private static string StackTrace(Random random)
        => FormattableString.Invariant(
            $"   at Gateway.Core.Sessions.PgSession.RunAsync(CancellationToken token) in /src/Gateway.Core/Sessions/PgSession.cs:line {random.Next(1, 900)} --> System.IO.IOException: Unable to read data: {random.Next(100)} bytes");

    private static string KeyValues(Random random)
        => FormattableString.Invariant(
            $"host=db{random.Next(10)}.internal port={random.Next(1024, 65535)} dbname=app user=svc_reader sslmode=require connect_timeout={random.Next(1, 30)} application_name=gateway-{random.Next(100)} keepalives_idle={random.Next(300)} token_bucket_size={random.Next(1000)} password_encryption=scram-sha-256");

    private static string Word(Random random) => Words[random.Next(Words.Length)];

    private static string Status(Random random) => (random.Next(4) switch { 0 => 200, 1 => 201, 2 => 404, _ => 503 }).ToString(CultureInfo.InvariantCulture);

    private static DateTime Timestamp(Random random)
        => new DateTime(2020, 1, 1, 0, 0, 0, DateTimeKind.Utc).AddSeconds(random.NextDouble() * 6 * 365 * 86_400);

    private static string Uuid(Random random)
    {
        byte[] bytes = new byte[16];
        random.NextBytes(bytes);
        return new Guid(bytes).ToString();
    }

    private static string Ip(Random random)
        => FormattableString.Invariant($"{random.Next(1, 224)}.{random.Next(256)}.{random.Next(256)}.{random.Next(256)}");

    private static string Hex(Random random, int length)
    {
        byte[] bytes = new byte[(length + 1) / 2];
        random.NextBytes(bytes);
        return Convert.ToHexStringLower(bytes)[..length];
    }

    /// <summary>Random digits whose Luhn check fails: an order number MASK-09 says must not be masked.</summary>
    private static string LuhnFailing(Random random, int length)
    {
        string digits = Luhn.RandomDigits(random, length, "123456789");
        return Luhn.IsValid(digits) ? digits[..^1] + (char)('0' + ((digits[^1] - '0' + 1) % 10)) : digits;
    }
}
