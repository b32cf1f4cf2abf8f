namespace Gateway.Core.Masking;

/// <summary>
/// One sensitive value found by <see cref="ContentScanner"/>: a range of bytes in the UTF-8 input and the detector
/// that found it (the bit index of a <see cref="ContentDetectors"/> member, or 10 + i for custom detector i).
/// </summary>
internal readonly record struct DetectorMatch(int Start, int Length, int Detector)
{
    /// <summary>The offset just past the match.</summary>
    public int End => Start + Length;
}
