using System.Security.Cryptography;

namespace Gateway.Core.Authentication;

/// <summary>The RFC 5802 key derivations, with SHA-256 as RFC 7677 specifies.</summary>
internal static class ScramPrimitives
{
    public const int KeyLength = 32;

    public static byte[] SaltedPassword(ReadOnlySpan<byte> password, ReadOnlySpan<byte> salt, int iterations)
        => Rfc2898DeriveBytes.Pbkdf2(password, salt, iterations, HashAlgorithmName.SHA256, KeyLength);

    public static byte[] ClientKey(ReadOnlySpan<byte> saltedPassword) => HMACSHA256.HashData(saltedPassword, "Client Key"u8);

    public static byte[] ServerKey(ReadOnlySpan<byte> saltedPassword) => HMACSHA256.HashData(saltedPassword, "Server Key"u8);

    /// <summary>A printable nonce of 18 random bytes in base64, as PostgreSQL makes them.</summary>
    public static string NewNonce() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(18));
}
