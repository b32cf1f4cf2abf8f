namespace Gateway.Core.Tests.Masking;

public sealed partial class ContentScannerTests
{
    [Theory]
    [InlineData("DE89370400440532013000", "[iban]")]
    [InlineData("IBAN: DE89 3704 0044 0532 0130 00.", "IBAN: [iban].")]
    [InlineData("GB82WEST12345698765432", "[iban]")]
    [InlineData("pay to GB82 WEST 1234 5698 7654 32 today", "pay to [iban] today")]
    [InlineData("fr1420041010050500013m02606", "[iban]")]
    [InlineData("Nl91AbNa0417164300", "[iban]")]
    [InlineData("{\"iban\":\"CH9300762011623852957\"}", "{\"iban\":\"[iban]\"}")]
    [InlineData("1,NO9386011117947,x", "1,[iban],x")]
    [InlineData("<iban>BE68539007547034</iban>", "<iban>[iban]</iban>")]
    [InlineData("a\nIT60X0542811101000000123456\nb", "a\n[iban]\nb")]
    [InlineData("MT84MALT011000012345MTLCAST001S", "[iban]")]
    [InlineData("PL61 1090 1014 0000 0712 1981 2874 EUR", "[iban] EUR")]
    public void Scan_IbanInAnyEmbedding_MasksExactlyTheIban(string text, string expected)
        => Assert.Equal(expected, ScanText.Redact(text));

    [Theory]
    [InlineData("DE89370400440532013001")] // check fails
    [InlineData("DE8937040044053201300")] // one short
    [InlineData("DE893704004405320130000")] // one long
    [InlineData("XX89370400440532013000")] // no such country
    [InlineData("ADE89370400440532013000")]
    [InlineData("DE89 3704 0044 0532 013000")] // irregular spacing
    [InlineData("DE89 37040044 0532 0130 00")]
    [InlineData("GB82-WEST-1234-5698-7654-32")]
    [InlineData("AB12 3456")]
    public void Scan_NotAnIban_FindsNoIban(string text)
        => Assert.Empty(ScanText.Matches(ScanText.Only(Gateway.Core.Masking.ContentDetectors.Iban), text));
}
