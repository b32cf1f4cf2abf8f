using System.Security.Cryptography;
using System.Text;

namespace Gateway.Host.Identities;

/// <summary>
/// API keys are 256 random bits, shown once. Only their SHA-256 is stored: with that much entropy a slow hash adds
/// nothing, and a lookup by hash needs no per-key salt.
/// </summary>
internal static class ApiKey
{
    private const string Prefix = "gck_";

    public static string Create() => Prefix + System.Buffers.Text.Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));

    public static string Hash(string key) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    public static bool LooksLikeKey(string? value) => value is { Length: > 20 } && value.StartsWith(Prefix, StringComparison.Ordinal);

    public static bool IsHash(string? value) => value is { Length: 71 } && value.StartsWith("sha256:", StringComparison.Ordinal);
}
