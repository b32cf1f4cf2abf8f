namespace Gateway.Core.Tests.Authentication;

/// <summary>The SCRAM-SHA-256 example exchange of RFC 7677 §3.</summary>
internal static class Rfc7677
{
    public const string User = "user";
    public const string Password = "pencil";
    public const string ClientNonce = "rOprNGfwEbeRWgbNEkqO";
    public const string ServerNonceSuffix = "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0";
    public const string SaltBase64 = "W22ZaJ0SNY7soEsUEjb6gQ==";
    public const int Iterations = 4096;
    public const string ClientProof = "dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=";
    public const string ServerSignature = "6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=";

    public const string ClientFirst = "n,," + ClientFirstBare;
    public const string ClientFirstBare = "n=" + User + ",r=" + ClientNonce;
    public const string ServerFirst = "r=" + ClientNonce + ServerNonceSuffix + ",s=" + SaltBase64 + ",i=4096";
    public const string ClientFinalWithoutProof = "c=biws,r=" + ClientNonce + ServerNonceSuffix;
    public const string ClientFinal = ClientFinalWithoutProof + ",p=" + ClientProof;
    public const string ServerFinal = "v=" + ServerSignature;

    /// <summary>
    /// PostgreSQL's stored form of the example's verifier, computed outside .NET (Python hashlib.pbkdf2_hmac and hmac),
    /// so that it checks the gateway's derivation rather than repeating it.
    /// </summary>
    public const string Verifier = "SCRAM-SHA-256$4096:W22ZaJ0SNY7soEsUEjb6gQ==$WG5d8oPm3OtcPnkdi4Uo7BkeZkBFzpcXkuLmtbsT4qY=:wfPLwcE6nTWhTAmQ7tl2KeoiWGPlZqQxSrmfPwDl2dU=";

    public static byte[] Salt => Convert.FromBase64String(SaltBase64);
}
