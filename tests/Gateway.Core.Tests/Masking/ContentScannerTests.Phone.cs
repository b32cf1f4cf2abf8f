namespace Gateway.Core.Tests.Masking;

public sealed partial class ContentScannerTests
{
    [Theory]
    [InlineData("+1 415-555-2671", "[phone]")]
    [InlineData("call +14155552671 now", "call [phone] now")]
    [InlineData("+1 (415) 555-2671", "[phone]")]
    [InlineData("+1.415.555.2671", "[phone]")]
    [InlineData("London +44 20 7946 0958.", "London [phone].")]
    [InlineData("+44 (0)20 7946 0958", "[phone]")]
    [InlineData("+442079460958", "[phone]")]
    [InlineData("Berlin +49-30-1234567", "Berlin [phone]")]
    [InlineData("Paris +33 1 23 45 67 89", "Paris [phone]")]
    [InlineData("+91 98765 43210", "[phone]")]
    [InlineData("(415) 555-2671", "[phone]")]
    [InlineData("(415)555-2671", "[phone]")]
    [InlineData("(415) 555 2671", "[phone]")]
    [InlineData("1 (800) 555-0199", "[phone]")]
    [InlineData("415-555-2671", "[phone]")]
    [InlineData("415.555.2671", "[phone]")]
    [InlineData("415 555 2671", "[phone]")]
    [InlineData("1-800-555-0199", "[phone]")]
    [InlineData("tel:+14155552671", "tel:[phone]")]
    [InlineData("{\"phone\":\"+1 (415) 555-2671\",\"ext\":12}", "{\"phone\":\"[phone]\",\"ext\":12}")]
    [InlineData("Jane,415-555-2671,CA", "Jane,[phone],CA")]
    [InlineData("<phone>+44 20 7946 0958</phone>", "<phone>[phone]</phone>")]
    [InlineData("home: 415-555-2671\nwork: (212) 555-0100", "home: [phone]\nwork: [phone]")]
    public void Scan_PhoneInAnyEmbedding_MasksExactlyTheNumber(string text, string expected)
        => Assert.Equal(expected, ScanText.Redact(text));

    [Theory]
    [InlineData("4155552671")] // ten bare digits: an id as often as a phone
    [InlineData("ticket 4155552671 closed")]
    [InlineData("2024-01-15")]
    [InlineData("2024-01-15T10:30:00+05:30")]
    [InlineData("15.01.2024 10:30:00.123456")]
    [InlineData("192.168.100.200")]
    [InlineData("10.0.0.1:5432")]
    [InlineData("version 1.2.3 and 10.0.15.1234")]
    [InlineData("offset +0000")]
    [InlineData("1e+10")]
    [InlineData("+12345678")] // a signed count, not a phone
    [InlineData("a+14155552671")]
    [InlineData("2+14155552671")]
    [InlineData("+2024-01-15")]
    [InlineData("+1234567890123456")] // more than 15 digits
    [InlineData("+1234567890.5")]
    [InlineData("(123) 555-2671")] // area code starting with 1
    [InlineData("415-155-2671")] // exchange starting with 1
    [InlineData("911-555-1234")] // a service code, not an area code
    [InlineData("+1 415 155 2671")]
    [InlineData("+1 415 555 267")]
    [InlineData("415-555-2671-99")]
    [InlineData("12:30:45")]
    [InlineData("x415-555-2671")]
    [InlineData("semver 1.2.3-rc.1+build.5")]
    public void Scan_NotAPhone_FindsNothing(string text)
        => Assert.Empty(ScanText.Matches(ScanText.Only(Gateway.Core.Masking.ContentDetectors.Phone), text));
}
