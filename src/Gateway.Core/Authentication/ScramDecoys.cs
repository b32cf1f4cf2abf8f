using System.Security.Cryptography;
using System.Text;

namespace Gateway.Core.Authentication;

/// <summary>
/// Verifiers for users that do not exist. The salt is derived from the user name with a key private to this gateway
/// instance, so asking twice for the same unknown user shows the same salt, exactly as a real user would; the
/// exchange then fails like a wrong secret (PostgreSQL's "mock authentication").
/// </summary>
internal sealed class ScramDecoys
{
    private readonly byte[] _key = RandomNumberGenerator.GetBytes(32);

    public ScramVerifier For(string user)
    {
        byte[] salt = HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes(user)).AsSpan(0, 16).ToArray();
        return ScramVerifier.CreateDecoy(salt, ScramVerifier.DefaultIterations);
    }
}
