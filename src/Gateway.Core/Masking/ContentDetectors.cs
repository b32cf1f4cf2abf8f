namespace Gateway.Core.Masking;

/// <summary>
/// The built-in content detectors, which find sensitive values by their shape wherever they appear in a text value
/// (a column, an error field, a COPY field), whether or not the column they came from is known to be sensitive.
/// Each member's bit index is the detector number that <c>DetectorMatch.Detector</c> reports.
/// </summary>
[Flags]
public enum ContentDetectors
{
    /// <summary>No built-in detector.</summary>
    None = 0,

    /// <summary>E-mail addresses: <c>local@domain.tld</c> with an alphabetic top-level domain.</summary>
    Email = 1,

    /// <summary>Payment card numbers (13-19 digits, a known issuer prefix and a valid Luhn check digit).</summary>
    PaymentCard = 2,

    /// <summary>US social security numbers in valid ranges (<c>AAA-GG-SSSS</c>).</summary>
    UsSsn = 4,

    /// <summary>Phone numbers: E.164 (<c>+</c> and 8-15 digits) and North American (NANP) numbers.</summary>
    Phone = 8,

    /// <summary>International bank account numbers with a valid mod-97 check and the country's length.</summary>
    Iban = 16,

    /// <summary>AWS access key ids (<c>AKIA…</c>, <c>ASIA…</c> and the other key-id prefixes).</summary>
    AwsAccessKeyId = 32,

    /// <summary>AWS secret access keys next to a key id or after a secret key name.</summary>
    AwsSecretKey = 64,

    /// <summary>JSON web tokens (JWS, and JWE in compact form).</summary>
    Jwt = 128,

    /// <summary>PEM private key blocks, from the BEGIN line to the matching END line.</summary>
    PemPrivateKey = 256,

    /// <summary>The value of a password, secret, API key or token assignment (<c>password=…</c>, <c>"token": "…"</c>).</summary>
    SecretAssignment = 512,

    /// <summary>Every built-in detector.</summary>
    All = 1023,
}
