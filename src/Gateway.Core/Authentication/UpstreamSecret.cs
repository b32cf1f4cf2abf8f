using System.Text;

namespace Gateway.Core.Authentication;

/// <summary>
/// A password the gateway uses to log in upstream. It is never shown to a client, never logged (ToString is
/// redacted), and its SCRAM salted password is cached per salt and iteration count so that reconnecting does not
/// pay PBKDF2 every time.
/// </summary>
public sealed class UpstreamSecret
{
    private readonly byte[] _password;
    private CachedSaltedPassword? _cache;

    /// <summary>Wraps a password; its UTF-8 bytes are used as they are (no SASLprep).</summary>
    public UpstreamSecret(string password)
    {
        ArgumentNullException.ThrowIfNull(password);
        _password = Encoding.UTF8.GetBytes(password);
    }

    internal ReadOnlySpan<byte> Password => _password;

    internal byte[] GetSaltedPassword(byte[] salt, int iterations)
    {
        CachedSaltedPassword? cache = _cache;
        if (cache is not null && cache.Iterations == iterations && cache.Salt.AsSpan().SequenceEqual(salt))
        {
            return cache.Value;
        }

        byte[] value = ScramPrimitives.SaltedPassword(_password, salt, iterations);
        _cache = new CachedSaltedPassword(salt, iterations, value);
        return value;
    }

    /// <summary>Always redacted.</summary>
    public override string ToString() => "***";

    private sealed record CachedSaltedPassword(byte[] Salt, int Iterations, byte[] Value);
}
