namespace Gateway.Core.Masking;

/// <summary>The built-in content detectors.</summary>
[Flags]
public enum ContentDetectors
{
    /// <summary>No detector.</summary>
    None = 0,
    /// <summary>E-mail addresses.</summary>
    Email = 1,
    /// <summary>Payment card numbers (Luhn).</summary>
    PaymentCard = 2,
    /// <summary>US social security numbers.</summary>
    UsSsn = 4,
    /// <summary>Phone numbers (E.164, NANP).</summary>
    Phone = 8,
    /// <summary>IBANs (mod 97).</summary>
    Iban = 16,
    /// <summary>AWS access key ids.</summary>
    AwsAccessKeyId = 32,
    /// <summary>AWS secret access keys.</summary>
    AwsSecretKey = 64,
    /// <summary>JSON web tokens.</summary>
    Jwt = 128,
    /// <summary>PEM private key blocks.</summary>
    PemPrivateKey = 256,
    /// <summary>password=, secret=, api_key= and similar assignments.</summary>
    SecretAssignment = 512,
    /// <summary>Every built-in detector.</summary>
    All = 1023,
}
