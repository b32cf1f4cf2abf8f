namespace Gateway.Core.Tests.Masking;

public sealed partial class ContentScannerTests
{
    [Theory]
    [InlineData("jane.doe@example.com", "[email]")]
    [InlineData("Contact Jane.Doe+News@Mail.Example.CO.UK. Thanks", "Contact [email]. Thanks")]
    [InlineData("{\"id\":7,\"email\":\"jane_doe42@example.org\",\"ok\":true}", "{\"id\":7,\"email\":\"[email]\",\"ok\":true}")]
    [InlineData("7,Jane Doe,jane@example.com,NY", "7,Jane Doe,[email],NY")]
    [InlineData("<customer><email>JANE@EXAMPLE.COM</email></customer>", "<customer><email>[email]</email></customer>")]
    [InlineData("Jane Doe <jane@example.com>", "Jane Doe <[email]>")]
    [InlineData("mailto:jane@example.com?subject=hi", "mailto:[email]?subject=hi")]
    [InlineData("first line\njane@example.com\r\nlast line", "first line\n[email]\r\nlast line")]
    [InlineData("a@b.io, c.d@e-f.org;x-y@sub.domain.travel", "[email], [email];[email]")]
    [InlineData("'jane@example.com'", "'[email]'")]
    [InlineData("(jane@example.com)", "([email])")]
    [InlineData("duplicate key value: Key (email)=(jane@example.com) already exists.", "duplicate key value: Key (email)=([email]) already exists.")]
    [InlineData("4155552671@txt.att.net", "[email]")]
    [InlineData("...jane@example.com", "...[email]")]
    [InlineData("Grüße an jane@example.com!", "Grüße an [email]!")]
    public void Scan_EmailInAnyEmbedding_MasksExactlyTheAddress(string text, string expected)
        => Assert.Equal(expected, ScanText.Redact(text));

    [Theory]
    [InlineData("user@localhost")]
    [InlineData("npm install @scope/pkg")]
    [InlineData("pip install pkg@1.2.3")]
    [InlineData("java.lang.Object@1b6d3586")]
    [InlineData("background: url(icon@2x.png)")]
    [InlineData("registry.example.com/app@sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08")]
    [InlineData("jane@example.c")]
    [InlineData("jane@.com")]
    [InlineData("jane@-example.com")]
    [InlineData("jane.@example.com")]
    [InlineData("@decorator def f(): pass")]
    [InlineData("price is 3 @ 4.50 each")]
    [InlineData("a@b")]
    [InlineData("x@123.456")]
    public void Scan_EmailLookalike_FindsNothing(string text)
        => Assert.Empty(ScanText.Matches(ScanText.All, text));

    [Fact]
    public void Scan_EmailLocalPartLongerThan64_FindsNothing()
        => Assert.Empty(ScanText.Matches(ScanText.All, new string('a', 65) + "@example.com"));
}
