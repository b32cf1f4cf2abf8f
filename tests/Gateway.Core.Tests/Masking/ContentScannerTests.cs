using System.Text;
using Gateway.Core.Masking;

namespace Gateway.Core.Tests.Masking;

public sealed partial class ContentScannerTests
{
    private const string EveryKind =
        "mail jane@example.com card 4111 1111 1111 1111 ssn 123-45-6789 tel +1 415-555-2671 iban DE89370400440532013000 "
        + "id AKIAIOSFODNN7EXAMPLE key wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY jwt " + ExampleJwt
        + " pem -----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY----- password=hunter2";

    [Fact]
    public void Scan_EveryDetector_FindsEachValueOnceInOrder()
        => Assert.Equal(
            "mail [email] card [payment_card] ssn [us_ssn] tel [phone] iban [iban] id [aws_access_key_id] key [aws_secret_key] "
            + "jwt [jwt] pem [pem_private_key] password=[secret_assignment]",
            ScanText.Redact(EveryKind));

    [Theory]
    [InlineData(ContentDetectors.Email)]
    [InlineData(ContentDetectors.PaymentCard)]
    [InlineData(ContentDetectors.UsSsn)]
    [InlineData(ContentDetectors.Phone)]
    [InlineData(ContentDetectors.Iban)]
    [InlineData(ContentDetectors.AwsAccessKeyId)]
    [InlineData(ContentDetectors.AwsSecretKey)]
    [InlineData(ContentDetectors.Jwt)]
    [InlineData(ContentDetectors.PemPrivateKey)]
    [InlineData(ContentDetectors.SecretAssignment)]
    public void Scan_OneDetectorEnabled_ReportsOnlyThatDetector(ContentDetectors detector)
    {
        DetectorMatch[] matches = ScanText.Matches(ScanText.Only(detector), EveryKind);
        int expected = System.Numerics.BitOperations.Log2((uint)detector);
        Assert.Equal(expected, Assert.Single(matches).Detector);
    }

    [Fact]
    public void Scan_NoDetectors_FindsNothing()
        => Assert.Empty(ScanText.Matches(new ContentScanner(ContentDetectors.None, []), EveryKind));

    [Fact]
    public void Scan_EmptyValue_FindsNothing()
        => Assert.Equal(0, ScanText.All.Scan([], new DetectorMatch[4]));

    [Fact]
    public void Scan_MoreMatchesThanFit_ReturnsLengthPlusOne()
    {
        byte[] text = "a@x.io b@x.io c@x.io"u8.ToArray();
        Assert.Equal(3, ScanText.All.Scan(text, new DetectorMatch[2]));
        Assert.Equal(1, ScanText.All.Scan(text, []));
    }

    [Fact]
    public void Scan_ExactlyAsManyMatchesAsFit_ReturnsTheCount()
    {
        var matches = new DetectorMatch[3];
        Assert.Equal(3, ScanText.All.Scan("a@x.io b@x.io c@x.io"u8, matches));
        Assert.Equal(new DetectorMatch(14, 6, ContentScanner.EmailDetector), matches[2]);
    }

    [Fact]
    public void Scan_MoreMatchesThanFitAfterAKeyIdsSecret_ReturnsLengthPlusOne()
    {
        byte[] text = Encoding.ASCII.GetBytes(ExampleKeyId + " " + ExampleSecretKey);
        Assert.Equal(2, ScanText.All.Scan(text, new DetectorMatch[1]));
    }

    [Fact]
    public void NameOf_EachBuiltInDetector_IsItsSnakeCaseName()
    {
        string[] names = [.. Enumerable.Range(0, 10).Select(ContentScanner.NameOf)];
        Assert.Equal(
            ["email", "payment_card", "us_ssn", "phone", "iban", "aws_access_key_id", "aws_secret_key", "jwt", "pem_private_key", "secret_assignment"],
            names);
        Assert.Equal("custom", ContentScanner.NameOf(ContentScanner.FirstCustomDetector));
        Assert.Throws<ArgumentOutOfRangeException>(() => ContentScanner.NameOf(-1));
    }

    [Fact]
    public void DetectorName_CustomDetector_IsTheOperatorsName()
    {
        var scanner = new ContentScanner(ContentDetectors.All, [new CustomDetector("employee_id", "EMP[0-9]{6}")]);
        Assert.Equal("employee_id", scanner.DetectorName(ContentScanner.FirstCustomDetector));
        Assert.Equal("jwt", scanner.DetectorName(ContentScanner.JwtDetector));
    }

    [Theory]
    [InlineData("4111111111111111", 1)]
    [InlineData("-4111111111111111", 1)]
    [InlineData("+5555555555554444", 1)]
    [InlineData("4111111111111111.00", 1)]
    [InlineData("378282246310005", 1)]
    [InlineData("4111111111111112", -1)]
    [InlineData("4111111111111111.50", -1)]
    [InlineData("1234567890123452", -1)] // Luhn-valid, no issuer
    [InlineData("41111111111111111111", -1)]
    [InlineData("123456789", 2)]
    [InlineData("899999999", 2)]
    [InlineData("666123456", -1)]
    [InlineData("900123456", -1)]
    [InlineData("123004567", -1)]
    [InlineData("123450000", -1)]
    [InlineData("12345678", -1)] // an SSN with area 012 loses its zero in an integer column
    [InlineData("", -1)]
    [InlineData("-", -1)]
    [InlineData("12a456789", -1)]
    [InlineData("1.5e10", -1)]
    public void IsSensitiveNumber_Digits_RecognisesCardsAndSsns(string digits, int expected)
    {
        bool sensitive = ScanText.All.IsSensitiveNumber(Encoding.ASCII.GetBytes(digits), out int detector);
        Assert.Equal(expected >= 0, sensitive);
        Assert.Equal(expected, detector);
    }

    [Fact]
    public void IsSensitiveNumber_DetectorDisabled_IsFalse()
    {
        var scanner = ScanText.Only(ContentDetectors.Email);
        Assert.False(scanner.IsSensitiveNumber("4111111111111111"u8, out _));
        Assert.False(scanner.IsSensitiveNumber("123456789"u8, out _));
    }

    [Fact]
    public void Scan_BuiltInDetectors_AllocateNothing()
    {
        byte[][] values = [.. PiiCorpus.Lines(200).Select(line => Encoding.UTF8.GetBytes(line.Text)),
            .. NonPiiCorpus.Lines(200).Select(Encoding.UTF8.GetBytes), Encoding.UTF8.GetBytes(EveryKind)];
        AssertScansAllocateNothing(ScanText.All, values);
    }

    [Fact]
    public void Scan_CustomDetectorsWhosePrefixIsAbsent_AllocateNothing()
    {
        var scanner = new ContentScanner(ContentDetectors.All, [new CustomDetector("acme", "ACME-[0-9]{8}"), new CustomDetector("emp", "EMP#[0-9]+")]);
        AssertScansAllocateNothing(scanner, [.. NonPiiCorpus.Lines(200).Select(Encoding.UTF8.GetBytes)]);
    }

    [Fact]
    public void Scan_CustomDetectorsThatRun_AllocateNothingAfterWarmUp()
    {
        var scanner = new ContentScanner(ContentDetectors.All, [new CustomDetector("acme", "ACME-[0-9]{8}"), new CustomDetector("any_word", "[a-z]+ing")]);
        byte[] shortAscii = "order ACME-12345678 is shipping today"u8.ToArray();
        byte[] shortUnicode = Encoding.UTF8.GetBytes("commande ACME-12345678 expédiée 😀 shipping");
        byte[] longValue = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("note ACME-12345678 éè pending; ", 40)));
        AssertScansAllocateNothing(scanner, [shortAscii, shortUnicode, longValue]);
    }

    private static void AssertScansAllocateNothing(ContentScanner scanner, byte[][] values)
    {
        var matches = new DetectorMatch[64];
        int found = 0;
        for (int round = 0; round < 3; round++)
        {
            foreach (byte[] value in values)
            {
                found += scanner.Scan(value, matches);
            }
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int round = 0; round < 20; round++)
        {
            foreach (byte[] value in values)
            {
                found += scanner.Scan(value, matches);
            }
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, allocated);
        Assert.True(found >= 0);
    }

    [Fact]
    public void Scan_RandomTextDenseInAnchors_KeepsMatchesInOrderAndInBounds()
    {
        // Boundary code is where the bugs are: text made mostly of anchor bytes, separators and short words, at every
        // length from 0 to 80, exercises every validator at the end of the value.
        const string Alphabet = "0123456789012345678901234567890123456789 -.+()@=:\"'\n/AKIASJeyJ_-abcdefxyzDEGBNOPRV";
        var random = new Random(43134114);
        var scanner = new ContentScanner(ContentDetectors.All, [new CustomDetector("c", "[0-9]{3}-[a-z]")]);
        var buffer = new byte[80];
        var matches = new DetectorMatch[8];
        for (int i = 0; i < 50_000; i++)
        {
            int length = random.Next(buffer.Length + 1);
            for (int k = 0; k < length; k++)
            {
                buffer[k] = (byte)Alphabet[random.Next(Alphabet.Length)];
            }

            ReadOnlySpan<byte> text = buffer.AsSpan(0, length);
            int count = scanner.Scan(text, matches);
            Assert.InRange(count, 0, matches.Length + 1);
            int previousEnd = 0;
            foreach (DetectorMatch match in matches.AsSpan(0, Math.Min(count, matches.Length)))
            {
                Assert.True(match.Start >= previousEnd && match.Length > 0 && match.End <= length, Encoding.ASCII.GetString(text));
                previousEnd = match.End;
            }
        }
    }

    [Fact]
    public void Scan_RandomBytes_NeverThrowsAndKeepsMatchesInBounds()
    {
        var random = new Random(43134114);
        var scanner = new ContentScanner(ContentDetectors.All, [new CustomDetector("c", "ACME.")]);
        var buffer = new byte[300];
        var matches = new DetectorMatch[16];
        for (int i = 0; i < 20_000; i++)
        {
            int length = random.Next(buffer.Length + 1);
            random.NextBytes(buffer.AsSpan(0, length));
            if (length > 10 && i % 2 == 0)
            {
                "ACME"u8.CopyTo(buffer.AsSpan(random.Next(length - 5)));
            }

            int count = scanner.Scan(buffer.AsSpan(0, length), matches);
            foreach (DetectorMatch match in matches.AsSpan(0, Math.Min(count, matches.Length)))
            {
                Assert.True(match.Start >= 0 && match.End <= length);
            }
        }
    }
}
