namespace Gateway.Core.Masking;

/// <summary>Placeholder until the detectors land (helper/detectors): finds nothing.</summary>
internal sealed class ContentScanner(ContentDetectors enabled, IReadOnlyList<CustomDetector> custom)
{
    public ContentDetectors Enabled { get; } = enabled;

    public IReadOnlyList<CustomDetector> Custom { get; } = custom;

    public bool HasDetectors => Enabled != ContentDetectors.None || Custom.Count > 0;

    public bool ChecksNumbers => (Enabled & (ContentDetectors.PaymentCard | ContentDetectors.UsSsn)) != 0;

    public int DetectorCount => 10 + Custom.Count;

    public static string NameOf(int detector) => detector.ToString(System.Globalization.CultureInfo.InvariantCulture);

    public int Scan(ReadOnlySpan<byte> utf8, Span<DetectorMatch> matches) => 0;

    public bool IsSensitiveNumber(ReadOnlySpan<byte> asciiDigits, out int detector)
    {
        detector = -1;
        return false;
    }
}

internal readonly record struct DetectorMatch(int Start, int Length, int Detector);
