using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Gateway.Core.Authentication;

/// <summary>
/// What the gateway stores instead of a secret: a SCRAM-SHA-256 verifier (RFC 5802, RFC 7677) made of the salt, the
/// iteration count, StoredKey and ServerKey. It proves a client knows the secret without the gateway ever holding
/// it. The text form is PostgreSQL's: <c>SCRAM-SHA-256$&lt;iterations&gt;:&lt;salt&gt;$&lt;StoredKey&gt;:&lt;ServerKey&gt;</c>.
/// </summary>
public sealed class ScramVerifier
{
    /// <summary>PostgreSQL's default <c>scram_iterations</c>.</summary>
    public const int DefaultIterations = 4096;

    private const string Prefix = "SCRAM-SHA-256$";
    private const int SaltLength = 16;
    private const int KeyLength = 32;

    private ScramVerifier(int iterations, byte[] salt, byte[] storedKey, byte[] serverKey)
    {
        Iterations = iterations;
        Salt = salt;
        StoredKey = storedKey;
        ServerKey = serverKey;
    }

    /// <summary>The PBKDF2 iteration count.</summary>
    public int Iterations { get; }

    /// <summary>The salt.</summary>
    public ReadOnlyMemory<byte> Salt { get; }

    /// <summary>H(ClientKey): what a client proof is checked against.</summary>
    public ReadOnlyMemory<byte> StoredKey { get; }

    /// <summary>The key the gateway signs its final message with, proving to the client that it holds the verifier.</summary>
    public ReadOnlyMemory<byte> ServerKey { get; }

    /// <summary>Derives a verifier from a secret with a fresh random salt.</summary>
    public static ScramVerifier Create(string secret, int iterations = DefaultIterations)
    {
        ArgumentNullException.ThrowIfNull(secret);
        ArgumentOutOfRangeException.ThrowIfLessThan(iterations, 1);
        byte[] salt = RandomNumberGenerator.GetBytes(SaltLength);
        return Create(secret, salt, iterations);
    }

    /// <summary>Derives a verifier from a secret and a given salt (known-answer tests).</summary>
    internal static ScramVerifier Create(string secret, ReadOnlySpan<byte> salt, int iterations)
    {
        ArgumentNullException.ThrowIfNull(secret);
        byte[] saltedPassword = ScramPrimitives.SaltedPassword(Encoding.UTF8.GetBytes(secret), salt, iterations);
        byte[] clientKey = ScramPrimitives.ClientKey(saltedPassword);
        byte[] storedKey = SHA256.HashData(clientKey);
        byte[] serverKey = ScramPrimitives.ServerKey(saltedPassword);
        CryptographicOperations.ZeroMemory(saltedPassword);
        CryptographicOperations.ZeroMemory(clientKey);
        return new ScramVerifier(iterations, salt.ToArray(), storedKey, serverKey);
    }

    /// <summary>A verifier no secret matches, with a given salt; used to run a convincing exchange for unknown users.</summary>
    internal static ScramVerifier CreateDecoy(byte[] salt, int iterations)
        => new(iterations, salt, RandomNumberGenerator.GetBytes(KeyLength), RandomNumberGenerator.GetBytes(KeyLength));

    /// <summary>Parses PostgreSQL's text form; throws <see cref="FormatException"/> when it is not one.</summary>
    public static ScramVerifier Parse(string text)
        => TryParse(text, out ScramVerifier? verifier)
            ? verifier
            : throw new FormatException("not a SCRAM-SHA-256 verifier of the form SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>");

    /// <summary>Parses PostgreSQL's text form.</summary>
    public static bool TryParse([NotNullWhen(true)] string? text, [NotNullWhen(true)] out ScramVerifier? verifier)
    {
        verifier = null;
        if (text is null || !text.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return false;
        }

        string[] parts = text.Substring(Prefix.Length).Split('$');
        if (parts.Length != 2)
        {
            return false;
        }

        string[] head = parts[0].Split(':');
        string[] keys = parts[1].Split(':');
        if (head.Length != 2 || keys.Length != 2
            || !int.TryParse(head[0], NumberStyles.None, CultureInfo.InvariantCulture, out int iterations) || iterations < 1)
        {
            return false;
        }

        try
        {
            byte[] salt = Convert.FromBase64String(head[1]);
            byte[] storedKey = Convert.FromBase64String(keys[0]);
            byte[] serverKey = Convert.FromBase64String(keys[1]);
            if (salt.Length == 0 || storedKey.Length != KeyLength || serverKey.Length != KeyLength)
            {
                return false;
            }

            verifier = new ScramVerifier(iterations, salt, storedKey, serverKey);
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    /// <summary>PostgreSQL's text form; it reveals no secret, but it is what an offline guessing attack starts from.</summary>
    public override string ToString()
        => string.Create(CultureInfo.InvariantCulture,
            $"{Prefix}{Iterations}:{Convert.ToBase64String(Salt.Span)}${Convert.ToBase64String(StoredKey.Span)}:{Convert.ToBase64String(ServerKey.Span)}");
}
