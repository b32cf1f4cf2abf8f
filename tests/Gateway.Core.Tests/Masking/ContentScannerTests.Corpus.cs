using System.Text;
using Gateway.Core.Masking;

namespace Gateway.Core.Tests.Masking;

// MASK-09: the false-positive budget, measured on a generated non-PII corpus, and recall on a generated PII corpus.
public sealed partial class ContentScannerTests
{
    [Fact]
    public void Scan_NonPiiCorpusOf10000Lines_FindsNothing()
    {
        var scanner = ScanText.All;
        var falsePositives = new List<string>();
        long bytes = 0;
        int lines = 0;
        foreach (string line in NonPiiCorpus.Lines(10_000))
        {
            byte[] utf8 = Encoding.UTF8.GetBytes(line);
            bytes += utf8.Length;
            lines++;
            foreach (DetectorMatch match in ScanText.Matches(scanner, utf8))
            {
                falsePositives.Add($"{ContentScanner.NameOf(match.Detector)}: \"{Encoding.UTF8.GetString(utf8, match.Start, match.Length)}\" in {line}");
            }
        }

        TestContext.Current.TestOutputHelper?.WriteLine($"non-PII corpus: {lines} lines, {bytes} bytes, {falsePositives.Count} matches");
        Assert.True(falsePositives.Count == 0, string.Join('\n', falsePositives.Take(20)));
        Assert.Equal(10_000, lines);
        Assert.True(bytes > 1_000_000, $"the corpus is only {bytes} bytes");
    }

    [Fact]
    public void Scan_PiiCorpus_MasksEveryValueAtItsExactOffsets()
    {
        var failures = new List<string>();
        int values = 0;
        foreach (PiiLine line in PiiCorpus.Lines(3_000))
        {
            values += line.Values;
            string redacted = ScanText.Redact(line.Text);
            if (redacted != line.Expected)
            {
                failures.Add($"text:     {line.Text}\nexpected: {line.Expected}\nactual:   {redacted}");
            }
        }

        TestContext.Current.TestOutputHelper?.WriteLine($"PII corpus: 3000 lines, {values} values, {failures.Count} lines wrong");
        Assert.True(failures.Count == 0, string.Join("\n\n", failures.Take(10)));
        Assert.True(values > 6_000);
    }

    [Fact]
    public void Scan_PiiCorpusWithCustomDetector_StillMasksEveryValue()
    {
        // Running the regex pass (transcoding, offset mapping, merging) must not disturb the built-in matches.
        var scanner = new ContentScanner(ContentDetectors.All, [new CustomDetector("never", "NEVER-[0-9]+"), new CustomDetector("unicode", "(?i)zoë")]);
        foreach (PiiLine line in PiiCorpus.Lines(500))
        {
            Assert.Equal(line.Expected.Replace("Zoë", "[unicode]", StringComparison.Ordinal), ScanText.Redact(scanner, line.Text));
        }
    }
}
