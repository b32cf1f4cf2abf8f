namespace Gateway.Core.Masking;

/// <summary>What a target's sessions mask: protected columns (by origin) and content detectors (on every text value).</summary>
public sealed record MaskingPolicy
{
    /// <summary>Columns masked wherever their values travel: through aliases, views, cursors, COPY, expressions.</summary>
    public IReadOnlyList<ProtectedColumn> Columns { get; init; } = [];

    /// <summary>Detectors run on every text value of every channel.</summary>
    public ContentDetectors Detectors { get; init; } = ContentDetectors.All;

    /// <summary>The operator's own patterns.</summary>
    public IReadOnlyList<CustomDetector> CustomDetectors { get; init; } = [];

    /// <summary>The key of <see cref="MaskStyle.Token"/>; required when a column uses it. Kept by the gateway only.</summary>
    public ReadOnlyMemory<byte> TokenKey { get; init; }

    /// <summary>What <see cref="MaskStyle.Redact"/> writes.</summary>
    public string RedactedText { get; init; } = "[redacted]";

    /// <summary>
    /// Mask every result column without an origin (expressions, casts, functions) when the target has protected
    /// columns, instead of only those of statements that mention a protected column or relation.
    /// </summary>
    public bool MaskAllExpressions { get; init; }

    /// <summary>
    /// Checks the policy before any session uses it: token style needs a key, partial style a sane length, and every
    /// custom detector must compile.
    /// </summary>
    /// <exception cref="ArgumentException">What is wrong, naming the column or detector.</exception>
    public void Validate()
    {
        foreach (ProtectedColumn column in Columns)
        {
            if (column.Style == MaskStyle.Token && TokenKey.Length == 0)
            {
                throw new ArgumentException($"{column} uses the token style but the policy has no token key", nameof(TokenKey));
            }

            if (column.KeepLast is < 0 or > 64)
            {
                throw new ArgumentException($"{column}: keepLast must be between 0 and 64", nameof(Columns));
            }
        }

        _ = new ContentScanner(Detectors, CustomDetectors);
    }

    /// <summary>True when nothing would ever be masked.</summary>
    public bool IsEmpty => Columns.Count == 0 && Detectors == ContentDetectors.None && CustomDetectors.Count == 0;
}
