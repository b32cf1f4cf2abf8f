using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;

namespace Gateway.Core.Tests.Authentication;

/// <summary>
/// The tests' own SCRAM-SHA-256 (RFC 5802 §3) written against the BCL only, to play the peer of the gateway's client
/// and server halves. Salted passwords are cached: PBKDF2 is the slow part and tests reuse a few.
/// </summary>
internal static class ScramMath
{
    private static readonly ConcurrentDictionary<(string, string, int), byte[]> SaltedPasswords = new();

    public static byte[] SaltedPassword(string password, byte[] salt, int iterations)
        => SaltedPasswords.GetOrAdd((password, Convert.ToBase64String(salt), iterations),
            key => Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(key.Item1), Convert.FromBase64String(key.Item2), key.Item3, HashAlgorithmName.SHA256, 32));

    /// <summary>ClientProof and ServerSignature, base64, for an AuthMessage.</summary>
    public static (string Proof, string ServerSignature) Sign(string password, byte[] salt, int iterations, string authMessage)
    {
        byte[] saltedPassword = SaltedPassword(password, salt, iterations);
        byte[] message = Encoding.ASCII.GetBytes(authMessage);
        byte[] clientKey = HMACSHA256.HashData(saltedPassword, Encoding.ASCII.GetBytes("Client Key"));
        byte[] storedKey = SHA256.HashData(clientKey);
        byte[] clientSignature = HMACSHA256.HashData(storedKey, message);
        byte[] proof = new byte[clientKey.Length];
        for (int i = 0; i < proof.Length; i++)
        {
            proof[i] = (byte)(clientKey[i] ^ clientSignature[i]);
        }

        byte[] serverKey = HMACSHA256.HashData(saltedPassword, Encoding.ASCII.GetBytes("Server Key"));
        return (Convert.ToBase64String(proof), Convert.ToBase64String(HMACSHA256.HashData(serverKey, message)));
    }

    /// <summary>Checks a client proof the way a server does, from the password rather than a stored verifier.</summary>
    public static bool VerifyProof(string password, byte[] salt, int iterations, string authMessage, string proof)
        => Sign(password, salt, iterations, authMessage).Proof == proof;

    /// <summary>The attributes of a SCRAM message ("r=...,s=...") by their letter.</summary>
    public static Dictionary<char, string> Attributes(string message)
        => message.Split(',').ToDictionary(attribute => attribute[0], attribute => attribute[2..]);
}
