using System.Text;
using Gateway.Core.Masking;

namespace Gateway.Core.Tests.Masking;

/// <summary>
/// The vector pre-pass of the built-in detectors (which leaves out digits that cannot start a match) must find exactly
/// what visiting every anchor one by one finds.
/// </summary>
public sealed partial class ContentScannerTests
{
    /// <summary>Pieces that make anchors dense and ambiguous: hex, digit groups with every separator, glued letters.</summary>
    private static readonly string[] Pieces =
    [
        "0", "1", "4", "9", "12", "123", "1234", "4111", "555", "2671", "45", "6789", "a", "b", "f", "x", "Z", "DE", "GB", "AKIA", "eyJ",
        " ", " ", "-", ".", "(", ")", "+", "@", "=", ":", "_", "/", "\n", ",", "é", "password=", "jane@example.com", "9e107d9d372bb682",
    ];

    [Fact]
    public void Scan_RandomDenseText_IndexedPassMatchesSequentialPass()
    {
        var scanner = new ContentScanner(ContentDetectors.All, []);
        var ibanOnly = new ContentScanner(ContentDetectors.Iban | ContentDetectors.Email, []);
        var random = new Random(43134114);
        var indexed = new DetectorMatch[MaskingScratch.MaxMatches];
        var sequential = new DetectorMatch[MaskingScratch.MaxMatches];
        var text = new StringBuilder();
        for (int round = 0; round < 20_000; round++)
        {
            text.Clear();
            int pieces = random.Next(1, round % 50 == 0 ? 120 : 30);
            for (int p = 0; p < pieces; p++)
            {
                text.Append(Pieces[random.Next(Pieces.Length)]);
            }

            byte[] utf8 = Encoding.UTF8.GetBytes(text.ToString());
            foreach (ContentScanner candidate in (ContentScanner[])[scanner, ibanOnly])
            {
                int b = candidate.Scan(utf8, sequential, ScanPass.Sequential);
                foreach (ScanPass pass in (ScanPass[])[ScanPass.Indexed, ScanPass.Auto])
                {
                    int a = candidate.Scan(utf8, indexed, pass);
                    Assert.True(a == b && indexed.AsSpan(0, Math.Min(a, indexed.Length)).SequenceEqual(sequential.AsSpan(0, Math.Min(b, sequential.Length))),
                        $"{pass} and sequential passes disagree on \"{text}\": {a} vs {b}");
                }
            }
        }
    }

    [Fact]
    public void Scan_PiiAndNonPiiCorpus_IndexedPassMatchesSequentialPass()
    {
        var scanner = new ContentScanner(ContentDetectors.All, []);
        var indexed = new DetectorMatch[MaskingScratch.MaxMatches];
        var sequential = new DetectorMatch[MaskingScratch.MaxMatches];
        foreach (string line in PiiCorpus.Lines(2000).Select(l => l.Text).Concat(NonPiiCorpus.Lines(3000)))
        {
            byte[] utf8 = Encoding.UTF8.GetBytes(line);
            int a = scanner.Scan(utf8, indexed, ScanPass.Indexed);
            int b = scanner.Scan(utf8, sequential, ScanPass.Sequential);
            Assert.True(a == b && indexed.AsSpan(0, Math.Min(a, indexed.Length)).SequenceEqual(sequential.AsSpan(0, Math.Min(b, sequential.Length))),
                $"passes disagree on \"{line}\"");
        }
    }
}
