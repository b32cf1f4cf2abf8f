using System.Buffers;
using System.Text;

namespace Gateway.Core.Masking;

/// <summary>
/// Masks the content detectors' hits in free text that is not a typed column value: statement text and text bind
/// parameters, for session recordings and logs. It runs the same <see cref="ContentScanner"/> as the relay's
/// masking, and replaces each hit with the same bracketed label (<c>[email]</c>). Thread-safe; allocates nothing per
/// call beyond what the output asks for.
/// </summary>
public sealed class ContentRedactor
{
    private const int MaxMatches = 64;

    private static readonly byte[] Redacted = "[redacted]"u8.ToArray();

    private readonly ContentScanner _scanner;
    private readonly byte[][] _labels;

    /// <param name="detectors">The built-in detectors to run.</param>
    /// <param name="customDetectors">Operator-defined detectors.</param>
    /// <exception cref="ArgumentException">A custom detector has no name or a pattern that does not compile.</exception>
    public ContentRedactor(ContentDetectors detectors, IReadOnlyList<CustomDetector> customDetectors)
    {
        _scanner = new ContentScanner(detectors, customDetectors);
        _labels = new byte[_scanner.DetectorCount][];
        for (int i = 0; i < _labels.Length; i++)
        {
            _labels[i] = Encoding.UTF8.GetBytes("[" + _scanner.DetectorName(i) + "]");
        }
    }

    /// <summary>A redactor with the detectors of a masking policy.</summary>
    public static ContentRedactor FromPolicy(MaskingPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        return new ContentRedactor(policy.Detectors, policy.CustomDetectors);
    }

    /// <summary>True when at least one detector runs; otherwise <see cref="Redact"/> copies its input.</summary>
    public bool HasDetectors => _scanner.HasDetectors;

    /// <summary>
    /// Writes <paramref name="utf8"/> to <paramref name="output"/> with each detector hit replaced by its label. When
    /// there are more hits than can be tracked, or a custom detector timed out, the whole value becomes
    /// <c>[redacted]</c> (failing closed).
    /// </summary>
    /// <returns>The number of hits replaced; 0 when the text was copied unchanged.</returns>
    public int Redact(ReadOnlySpan<byte> utf8, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        if (!_scanner.HasDetectors || utf8.IsEmpty)
        {
            output.Write(utf8);
            return 0;
        }

        Span<DetectorMatch> matches = stackalloc DetectorMatch[MaxMatches];
        int count = _scanner.Scan(utf8, matches);
        if (count > matches.Length)
        {
            output.Write(Redacted);
            return count;
        }

        int position = 0;
        foreach (DetectorMatch match in matches.Slice(0, count))
        {
            output.Write(utf8.Slice(position, match.Start - position));
            output.Write(_labels[Math.Min(match.Detector, _labels.Length - 1)]);
            position = match.End;
        }

        output.Write(utf8.Slice(position));
        return count;
    }
}
