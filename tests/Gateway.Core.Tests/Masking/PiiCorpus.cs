using System.Globalization;
using System.Numerics;
using System.Text;

namespace Gateway.Core.Tests.Masking;

/// <summary>One generated line: its text, the text as it must look with each sensitive value replaced by
/// <c>[detector name]</c>, and how many values it holds.</summary>
internal sealed record PiiLine(string Text, string Expected, int Values);

/// <summary>
/// Text full of sensitive values in the embeddings MASK-09 lists: free text, JSON, CSV, XML, line breaks, mixed case,
/// at the start and at the end of a value, and inside non-PII noise. Every value is generated (valid check digits,
/// valid ranges) from one fixed seed, and the expected redaction is built next to the text, so a test can compare
/// exact offsets.
/// </summary>
internal static class PiiCorpus
{
    public const int Seed = 43134114;

    private static readonly string[] FirstNames = ["Jane", "John", "Ana", "Wei", "Fatima", "Olu", "Zoë", "Mateo", "Priya", "Lars"];
    private static readonly string[] LastNames = ["Doe", "Smith", "García", "Chen", "Okafor", "Müller", "Nakamura", "Silva", "Kowalski"];
    private static readonly string[] Domains = ["example.com", "mail.example.org", "corp.example.co.uk", "example.travel", "sub.example.io"];

    public static IEnumerable<PiiLine> Lines(int count)
    {
        var random = new Random(Seed);
        for (int i = 0; i < count; i++)
        {
            yield return Line(random);
        }
    }

    private static PiiLine Line(Random random)
    {
        var line = new LineBuilder();
        string name = FirstNames[random.Next(FirstNames.Length)] + " " + LastNames[random.Next(LastNames.Length)];
        switch (random.Next(9))
        {
            case 0:
                line.Text($"Customer {name} can be reached at ").Pii(Email(random), "email").Text(" or ").Pii(Phone(random), "phone").Text(".");
                break;
            case 1:
                line.Text(FormattableString.Invariant($"{{\"id\":{random.Next(100_000)},\"name\":\"{name}\",\"email\":\""))
                    .Pii(Email(random), "email").Text("\",\"card\":\"").Pii(Card(random), "payment_card")
                    .Text("\",\"ssn\":\"").Pii(Ssn(random), "us_ssn").Text("\",\"balance\":")
                    .Text(FormattableString.Invariant($"{random.NextDouble() * 1000:R}}}"));
                break;
            case 2:
                line.Text(FormattableString.Invariant($"{random.Next(100_000)},{name},")).Pii(Email(random), "email").Text(",")
                    .Pii(Phone(random), "phone").Text(",").Pii(Iban(random), "iban").Text(",").Pii(Card(random), "payment_card");
                break;
            case 3:
                line.Text(FormattableString.Invariant($"<customer id=\"{random.Next(100_000)}\"><email>")).Pii(Email(random), "email")
                    .Text("</email><iban>").Pii(Iban(random), "iban").Text("</iban><ssn>").Pii(Ssn(random), "us_ssn").Text("</ssn></customer>");
                break;
            case 4:
                line.Text($"Name: {name}\nCard: ").Pii(Card(random), "payment_card").Text("\nSSN: ").Pii(Ssn(random), "us_ssn")
                    .Text("\nPhone: ").Pii(Phone(random), "phone").Text("\n");
                break;
            case 5:
                line.Pii(Email(random), "email").Text(FormattableString.Invariant($" logged in at {DateTime.UnixEpoch.AddSeconds(random.Next()):O} with Bearer "))
                    .Pii(Jwt(random), "jwt");
                break;
            case 6:
                line.Text("DB_PASSWORD=").Pii(Secret(random), "secret_assignment").Text("\nAWS_ACCESS_KEY_ID=").Pii(AwsKeyId(random), "aws_access_key_id")
                    .Text("\nAWS_SECRET_ACCESS_KEY=").Pii(AwsSecretKey(random), "aws_secret_key")
                    .Text(FormattableString.Invariant($"\nAWS_REGION=eu-west-{random.Next(1, 4)}\n{{\"api_key\": \"")).Pii(Secret(random), "secret_assignment").Text("\"}");
                break;
            case 7:
                line.Text("deploy key:\n").Pii(Pem(random), "pem_private_key").Text("\nowner ").Pii(Email(random), "email");
                break;
            default:
                // A value dropped into non-PII noise, at the start, in the middle or at the end: at a word boundary
                // with no number on either side, since digit groups joined by single spaces are read as one number
                // (a phone number followed by " 200" is a longer phone number).
                string noise = NonPiiCorpus.Lines(1 + random.Next(50)).Last() + " ok";
                (string value, string detector) = random.Next(6) switch
                {
                    0 => (Email(random), "email"),
                    1 => (Card(random), "payment_card"),
                    2 => (Ssn(random).Replace(' ', '-'), "us_ssn"),
                    3 => (Phone(random), "phone"),
                    4 => (Iban(random), "iban"),
                    _ => (Jwt(random), "jwt"),
                };
                int[] positions = [.. Enumerable.Range(0, noise.Length + 1).Where(i =>
                    (i == 0 || i == noise.Length || noise[i] == ' ') && (i == 0 || !char.IsAsciiDigit(noise[i - 1]))
                    && (i == noise.Length || i + 1 >= noise.Length || !char.IsAsciiDigit(noise[i == 0 ? 0 : i + 1])))];
                int at = positions[random.Next(positions.Length)];
                if (at == 0)
                {
                    line.Pii(value, detector).Text(" " + noise);
                }
                else
                {
                    line.Text(noise[..at] + " ").Pii(value, detector).Text(noise[at..]);
                }

                break;
        }

        return line.Build();
    }

    public static string Email(Random random)
    {
        string local = random.Next(3) switch
        {
            0 => FirstNames[random.Next(5)].ToLowerInvariant() + "." + "doe",
            1 => "user" + random.Next(10_000).ToString(CultureInfo.InvariantCulture),
            _ => "j_smith+tag" + random.Next(10).ToString(CultureInfo.InvariantCulture),
        };
        string address = local + "@" + Domains[random.Next(Domains.Length)];
        return random.Next(4) switch { 0 => address.ToUpperInvariant(), 1 => char.ToUpperInvariant(address[0]) + address[1..], _ => address };
    }

    public static string Card(Random random)
    {
        (string prefix, int length) = random.Next(6) switch
        {
            0 => ("4", 16),
            1 => ("5" + random.Next(1, 6).ToString(CultureInfo.InvariantCulture), 16),
            2 => ("3" + (random.Next(2) == 0 ? "4" : "7"), 15),
            3 => ("6011", 16),
            4 => ("2" + random.Next(221, 721).ToString(CultureInfo.InvariantCulture), 16),
            _ => ("35" + random.Next(28, 90).ToString(CultureInfo.InvariantCulture), 16),
        };
        string number = Luhn.Complete(prefix + Luhn.RandomDigits(random, length - prefix.Length - 1, "0123456789"));
        if (length == 15)
        {
            return random.Next(2) == 0 ? number : $"{number[..4]} {number[4..10]} {number[10..]}";
        }

        char separator = random.Next(3) switch { 0 => ' ', 1 => '-', _ => '\0' };
        return separator == '\0' ? number : string.Join(separator, number.Chunk(4).Select(c => new string(c)));
    }

    public static string Ssn(Random random)
    {
        int area;
        do
        {
            area = random.Next(1, 900);
        }
        while (area == 666);

        char separator = random.Next(4) == 0 ? ' ' : '-';
        return FormattableString.Invariant($"{area:D3}{separator}{random.Next(1, 100):D2}{separator}{random.Next(1, 10_000):D4}");
    }

    public static string Phone(Random random)
    {
        int npa = random.Next(2, 10) * 100 + random.Next(0, 10) * 10 + random.Next(2, 10); // never N11
        int nxx = random.Next(200, 1000);
        int line = random.Next(10_000);
        return random.Next(6) switch
        {
            0 => FormattableString.Invariant($"+1 {npa}-{nxx}-{line:D4}"),
            1 => FormattableString.Invariant($"({npa}) {nxx}-{line:D4}"),
            2 => FormattableString.Invariant($"{npa}-{nxx}-{line:D4}"),
            3 => FormattableString.Invariant($"+1{npa}{nxx}{line:D4}"),
            4 => FormattableString.Invariant($"+44 20 {random.Next(7000, 8000)} {random.Next(10_000):D4}"),
            _ => FormattableString.Invariant($"+49 30 {random.Next(1_000_000, 10_000_000)}"),
        };
    }

    public static string Iban(Random random)
    {
        (string country, string bban) = random.Next(4) switch
        {
            0 => ("DE", Luhn.RandomDigits(random, 18, "0123456789")),
            1 => ("GB", "WEST" + Luhn.RandomDigits(random, 14, "0123456789")),
            2 => ("NL", "ABNA" + Luhn.RandomDigits(random, 10, "0123456789")),
            _ => ("FR", Luhn.RandomDigits(random, 23, "0123456789")),
        };
        string numeric = string.Concat((bban + country + "00").Select(c => char.IsAsciiLetter(c) ? (c - 'A' + 10).ToString(CultureInfo.InvariantCulture) : c.ToString()));
        int check = 98 - (int)(BigInteger.Parse(numeric, CultureInfo.InvariantCulture) % 97);
        string iban = country + check.ToString("D2", CultureInfo.InvariantCulture) + bban;
        if (random.Next(3) == 0)
        {
            iban = string.Join(' ', iban.Chunk(4).Select(c => new string(c)));
        }

        return random.Next(4) == 0 ? iban.ToLowerInvariant() : iban;
    }

    public static string Jwt(Random random)
    {
        string header = Base64Url(Encoding.UTF8.GetBytes("{\"alg\":\"HS256\",\"typ\":\"JWT\"}"));
        string payload = Base64Url(Encoding.UTF8.GetBytes(FormattableString.Invariant($"{{\"sub\":\"{random.Next()}\",\"iat\":{random.Next()}}}")));
        byte[] signature = new byte[32];
        random.NextBytes(signature);
        return header + "." + payload + "." + Base64Url(signature);
    }

    public static string AwsKeyId(Random random)
        => (random.Next(2) == 0 ? "AKIA" : "ASIA") + new string([.. Enumerable.Range(0, 16).Select(_ => "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"[random.Next(32)])]);

    public static string AwsSecretKey(Random random)
    {
        while (true)
        {
            byte[] bytes = new byte[30];
            random.NextBytes(bytes);
            string key = Convert.ToBase64String(bytes);
            if (key.Any(char.IsAsciiLetterUpper) && key.Any(char.IsAsciiLetterLower) && key.Any(char.IsAsciiDigit))
            {
                return key;
            }
        }
    }

    public static string Secret(Random random)
        => new([.. Enumerable.Range(0, random.Next(8, 24)).Select(_ => "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789!#%*"[random.Next(60)])]);

    public static string Pem(Random random)
    {
        var pem = new StringBuilder("-----BEGIN RSA PRIVATE KEY-----\n");
        for (int i = 0; i < 4; i++)
        {
            byte[] bytes = new byte[48];
            random.NextBytes(bytes);
            pem.Append(Convert.ToBase64String(bytes)).Append('\n');
        }

        return pem.Append("-----END RSA PRIVATE KEY-----").ToString();
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private sealed class LineBuilder
    {
        private readonly StringBuilder _text = new();
        private readonly StringBuilder _expected = new();
        private int _values;

        public LineBuilder Text(string text)
        {
            _text.Append(text);
            _expected.Append(text);
            return this;
        }

        public LineBuilder Pii(string value, string detector)
        {
            _text.Append(value);
            _expected.Append('[').Append(detector).Append(']');
            _values++;
            return this;
        }

        public PiiLine Build() => new(_text.ToString(), _expected.ToString(), _values);
    }
}
