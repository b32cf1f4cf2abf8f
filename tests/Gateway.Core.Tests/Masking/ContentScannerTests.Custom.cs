using System.Text;
using Gateway.Core.Masking;

namespace Gateway.Core.Tests.Masking;

public sealed partial class ContentScannerTests
{
    private static readonly ContentScanner AcmeScanner = new(ContentDetectors.All, [new CustomDetector("acme_id", "ACME-[0-9]{8}")]);

    [Theory]
    [InlineData("order ACME-12345678 shipped", "order [acme_id] shipped")]
    [InlineData("ACME-12345678", "[acme_id]")]
    [InlineData("Ünïcödé ACME-12345678 ✓ 😀 ACME-87654321", "Ünïcödé [acme_id] ✓ 😀 [acme_id]")]
    [InlineData("jane@example.com ACME-12345678", "[email] [acme_id]")]
    [InlineData("ACME-1234567", "ACME-1234567")]
    public void Scan_CustomDetector_MasksItsMatchesAtUtf8Offsets(string text, string expected)
        => Assert.Equal(expected, ScanText.Redact(AcmeScanner, text));

    [Fact]
    public void Scan_CustomMatchAfterInvalidUtf8_MapsBackToTheRightBytes()
    {
        // 0xFF and a truncated 3-byte sequence each become one U+FFFD in UTF-16 but stay 1 and 2 bytes in UTF-8.
        byte[] text = [0xFF, (byte)' ', 0xE2, 0x82, (byte)' ', .. "ACME-12345678 ok"u8];
        DetectorMatch match = Assert.Single(ScanText.Matches(AcmeScanner, text));
        Assert.Equal(new DetectorMatch(5, 13, ContentScanner.FirstCustomDetector), match);
    }

    [Fact]
    public void Scan_CustomMatchOfASurrogatePairHalf_CoversTheWholeCharacter()
    {
        // "." matches one UTF-16 code unit, half of the emoji; the match must cover all 4 of its UTF-8 bytes.
        var scanner = new ContentScanner(ContentDetectors.None, [new CustomDetector("pre", "X.")]);
        DetectorMatch match = Assert.Single(ScanText.Matches(scanner, "aX😀b"));
        Assert.Equal(new DetectorMatch(1, 5, ContentScanner.FirstCustomDetector), match);
    }

    [Fact]
    public void Scan_CustomMatchOverlappingABuiltInMatch_IsMergedIntoOneRange()
    {
        var scanner = new ContentScanner(ContentDetectors.All, [new CustomDetector("card_line", "Card: [0-9 ]+ exp")]);
        Assert.Equal("x [payment_card] y", ScanText.Redact(scanner, "x Card: 4111 1111 1111 1111 exp y"));
    }

    [Fact]
    public void Scan_CustomMatchSpanningTwoBuiltInMatches_MergesAllThree()
    {
        var scanner = new ContentScanner(ContentDetectors.All, [new CustomDetector("pair", "[a-z]+@[a-z.]+ and [a-z]+@")]);
        Assert.Equal("[email] ok", ScanText.Redact(scanner, "a@x.com and b@y.org ok"));
    }

    [Fact]
    public void Scan_SeveralCustomDetectors_ReportEachByNumberAndName()
    {
        var scanner = new ContentScanner(ContentDetectors.None, [new CustomDetector("a", "AAA[0-9]"), new CustomDetector("b", "BBB[0-9]")]);
        Assert.Equal("[b] [a] [b]", ScanText.Redact(scanner, "BBB1 AAA2 BBB3"));
        Assert.Equal("b", scanner.DetectorName(ContentScanner.FirstCustomDetector + 1));
    }

    [Fact]
    public void Scan_LongValueWithCustomDetector_UsesThePooledBufferAndFindsEverything()
    {
        string text = string.Concat(Enumerable.Range(0, 200).Select(i => $"row {i} ACME-{i:D8} é;"));
        string expected = string.Concat(Enumerable.Range(0, 200).Select(i => $"row {i} [acme_id] é;"));
        var scanner = new ContentScanner(ContentDetectors.None, [new CustomDetector("acme_id", "ACME-[0-9]{8}")]);
        Assert.Equal(expected, ScanText.Redact(scanner, text));
    }

    [Fact]
    public void Scan_CustomDetectorTimesOut_ReportsOverflowSoTheValueIsMaskedWhole()
    {
        var scanner = new ContentScanner(ContentDetectors.None, [new CustomDetector("slow", @"^(\w+\s?)*$")]);
        byte[] text = Encoding.ASCII.GetBytes(new string('a', 40) + "!");
        var matches = new DetectorMatch[8];
        Assert.Equal(matches.Length + 1, scanner.Scan(text, matches));
    }

    [Theory]
    [InlineData("ACME-[0-9]{8}", "ACME-")]
    [InlineData("sk_live_[A-Za-z0-9]{24}", "sk_live_")]
    [InlineData("^EMP#\\d+", "EMP#")]
    [InlineData("foo\\.bar\\d", "foo.bar")]
    [InlineData("ab?c", "a")]
    [InlineData("abc*", "ab")]
    [InlineData("abc{0,2}", "ab")]
    [InlineData("abc+", "abc")]
    [InlineData("key-(x|y)", null)]
    [InlineData("a|b", null)]
    [InlineData("(?i)acme", null)]
    [InlineData("\\bACME", null)]
    [InlineData("\\d{4}", null)]
    [InlineData("[A-Z]{3}-\\d+", null)]
    [InlineData(".*secret", null)]
    [InlineData("x?", null)]
    [InlineData("é😀?", "é")]
    public void LiteralPrefix_Pattern_IsWhatEveryMatchStartsWith(string pattern, string? expected)
    {
        byte[]? prefix = ContentScanner.LiteralPrefix(pattern);
        Assert.Equal(expected, prefix is null ? null : Encoding.UTF8.GetString(prefix));
    }

    [Fact]
    public void Constructor_InvalidPattern_Throws()
        => Assert.ThrowsAny<ArgumentException>(() => new ContentScanner(ContentDetectors.All, [new CustomDetector("bad", "([a-z")]));

    [Fact]
    public void Constructor_CustomDetectorWithoutName_Throws()
        => Assert.Throws<ArgumentException>(() => new ContentScanner(ContentDetectors.All, [new CustomDetector(" ", "x")]));

    [Fact]
    public void Constructor_UnknownDetectorFlag_Throws()
        => Assert.Throws<ArgumentOutOfRangeException>(() => new ContentScanner((ContentDetectors)4096, []));
}
