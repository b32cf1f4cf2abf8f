namespace Gateway.Core.Masking;

/// <summary>How a protected value is replaced. Values of types that cannot hold the replacement text become NULL.</summary>
public enum MaskStyle
{
    /// <summary>A fixed text (<see cref="MaskingPolicy.RedactedText"/>).</summary>
    Redact = 0,

    /// <summary>Keeps the last <see cref="ProtectedColumn.KeepLast"/> characters and hides the rest.</summary>
    Partial = 1,

    /// <summary>
    /// A keyed HMAC-SHA-256 token: equal inputs give equal tokens, so joins and grouping still work, but the value
    /// cannot be recovered without the gateway's key (unlike a plain hash of a nine-digit number).
    /// </summary>
    Token = 2,

    /// <summary>NULL.</summary>
    Null = 3,
}
