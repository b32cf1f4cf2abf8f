namespace Gateway.Core.Tests.Masking;

public sealed partial class ContentScannerTests
{
    [Theory]
    [InlineData("123-45-6789", "[us_ssn]")]
    [InlineData("ssn 123 45 6789 on file", "ssn [us_ssn] on file")]
    [InlineData("SSN: 123456789", "SSN: [us_ssn]")]
    [InlineData("{\"name\":\"Jane\",\"customer_ssn\":\"078051120\"}", "{\"name\":\"Jane\",\"customer_ssn\":\"[us_ssn]\"}")]
    [InlineData("Social Security Number 899-99-9999.", "Social Security Number [us_ssn].")]
    [InlineData("Jane,001-01-0001,NY", "Jane,[us_ssn],NY")]
    [InlineData("<ssn>123-45-6789</ssn>", "<ssn>[us_ssn]</ssn>")]
    [InlineData("line\n123-45-6789\nline", "line\n[us_ssn]\nline")]
    [InlineData("social: 123456789", "social: [us_ssn]")]
    [InlineData("Failing row contains (7, Jane, 123-45-6789).", "Failing row contains (7, Jane, [us_ssn]).")]
    public void Scan_SsnInAnyEmbedding_MasksExactlyTheNumber(string text, string expected)
        => Assert.Equal(expected, ScanText.Redact(text));

    [Theory]
    [InlineData("000-12-3456")]
    [InlineData("666-12-3456")]
    [InlineData("900-12-3456")]
    [InlineData("999-99-9999")]
    [InlineData("123-00-4567")]
    [InlineData("123-45-0000")]
    [InlineData("id 123456789")] // nine bare digits without a label
    [InlineData("amount=123456789")]
    [InlineData("123-45-6789-01")] // part of a longer chain
    [InlineData("9-123-45-6789")]
    [InlineData("123-45-67890")]
    [InlineData("123-45 6789")] // mixed separators
    [InlineData("x123-45-6789")]
    [InlineData("123-45-6789x")]
    [InlineData("1.123-45-6789")]
    [InlineData("classname 123456789")] // "ssn" inside a word is not a label
    [InlineData("2024-01-15")]
    public void Scan_NotAnSsn_FindsNothing(string text)
        => Assert.Empty(ScanText.Matches(ScanText.Only(Gateway.Core.Masking.ContentDetectors.UsSsn), text));

    [Fact]
    public void Scan_SsnLabelMoreThan32BytesBefore_DoesNotMakeNineDigitsAnSsn()
        => Assert.Empty(ScanText.Matches(ScanText.All, "ssn" + new string(' ', 40) + "123456789"));
}
