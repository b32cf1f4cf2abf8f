using System.Text;
using Gateway.Core.Masking;

namespace Gateway.Core.Tests.Masking;

/// <summary>
/// Runs a <see cref="ContentScanner"/> over a string and shows the result as the string with every match replaced by
/// <c>[detector name]</c>, so that a test states the exact bytes each match covers, and checks the invariants every
/// scan must keep (matches in order, in bounds, non-empty, disjoint).
/// </summary>
internal static class ScanText
{
    public static readonly ContentScanner All = new(ContentDetectors.All, []);

    public static string Redact(string text) => Redact(All, text);

    public static string Redact(ContentScanner scanner, string text) => Redact(scanner, Encoding.UTF8.GetBytes(text));

    public static string Redact(ContentScanner scanner, byte[] utf8)
    {
        DetectorMatch[] matches = Matches(scanner, utf8);
        var result = new List<byte>(utf8.Length);
        int at = 0;
        foreach (DetectorMatch match in matches)
        {
            result.AddRange(utf8.AsSpan(at, match.Start - at));
            result.AddRange(Encoding.UTF8.GetBytes("[" + scanner.DetectorName(match.Detector) + "]"));
            at = match.End;
        }

        result.AddRange(utf8.AsSpan(at));
        return Encoding.UTF8.GetString([.. result]);
    }

    public static DetectorMatch[] Matches(ContentScanner scanner, string text) => Matches(scanner, Encoding.UTF8.GetBytes(text));

    public static DetectorMatch[] Matches(ContentScanner scanner, byte[] utf8)
    {
        var matches = new DetectorMatch[256];
        int count = scanner.Scan(utf8, matches);
        Assert.InRange(count, 0, matches.Length);
        int previousEnd = 0;
        foreach (DetectorMatch match in matches.AsSpan(0, count))
        {
            Assert.True(match.Start >= previousEnd && match.Length > 0 && match.End <= utf8.Length,
                $"match {match} out of order or bounds (previous end {previousEnd}, length {utf8.Length})");
            previousEnd = match.End;
        }

        return matches[..count];
    }

    /// <summary>The scanner with only <paramref name="detectors"/> enabled.</summary>
    public static ContentScanner Only(ContentDetectors detectors) => new(detectors, []);
}
