using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Gateway.Core.Authentication;

/// <summary>
/// The client half of SCRAM-SHA-256, used to log in upstream with the gateway's own credentials. The upstream is an
/// attack surface too: nonce length, salt and iteration count are bounded (CVE-2026-6665 class, PROTO-04), and the
/// server's signature is verified so that a server that does not know the verifier cannot pretend to.
/// </summary>
internal sealed class ScramClientExchange
{
    /// <summary>Longest combined nonce accepted from a server.</summary>
    public const int MaxNonceLength = 512;

    private readonly UpstreamSecret _secret;
    private readonly int _maxIterations;
    private readonly string _clientNonce;
    private string? _clientFirstBare;
    private byte[]? _expectedServerSignature;

    public ScramClientExchange(UpstreamSecret secret, int maxIterations)
    {
        _secret = secret;
        _maxIterations = maxIterations;
        _clientNonce = ScramPrimitives.NewNonce();
    }

    /// <summary>True once the server's signature has been verified.</summary>
    public bool IsComplete { get; private set; }

    /// <summary>client-first-message. The user name is left empty: PostgreSQL takes it from the startup packet.</summary>
    public byte[] CreateClientFirst()
    {
        _clientFirstBare = "n=,r=" + _clientNonce;
        return Encoding.ASCII.GetBytes("n,," + _clientFirstBare);
    }

    /// <summary>Checks server-first-message and produces client-final-message.</summary>
    public bool TryHandleServerFirst(ReadOnlySpan<byte> message, out byte[] clientFinal, out string failure)
    {
        clientFinal = [];
        if (message.Length > MaxNonceLength + 256 || !IsPrintableAscii(message))
        {
            failure = "server-first-message is too long or not printable ASCII";
            return false;
        }

        string serverFirst = Encoding.ASCII.GetString(message);
        string[] attributes = serverFirst.Split(',');
        if (attributes.Length < 3 || !attributes[0].StartsWith("r=", StringComparison.Ordinal)
            || !attributes[1].StartsWith("s=", StringComparison.Ordinal) || !attributes[2].StartsWith("i=", StringComparison.Ordinal))
        {
            failure = "server-first-message is not r=<nonce>,s=<salt>,i=<iterations>";
            return false;
        }

        string nonce = attributes[0].Substring(2);
        if (nonce.Length <= _clientNonce.Length || nonce.Length > MaxNonceLength || !nonce.StartsWith(_clientNonce, StringComparison.Ordinal))
        {
            failure = "server nonce does not extend the client nonce, or is too long";
            return false;
        }

        byte[] salt;
        try
        {
            salt = Convert.FromBase64String(attributes[1].Substring(2));
        }
        catch (FormatException)
        {
            failure = "server salt is not base64";
            return false;
        }

        if (salt.Length == 0
            || !int.TryParse(attributes[2].AsSpan(2), NumberStyles.None, CultureInfo.InvariantCulture, out int iterations)
            || iterations < 1 || iterations > _maxIterations)
        {
            failure = string.Create(CultureInfo.InvariantCulture, $"server asked for an empty salt or an iteration count outside 1..{_maxIterations}");
            return false;
        }

        byte[] saltedPassword = _secret.GetSaltedPassword(salt, iterations);
        byte[] clientKey = ScramPrimitives.ClientKey(saltedPassword);
        byte[] storedKey = SHA256.HashData(clientKey);
        string withoutProof = "c=biws,r=" + nonce;
        byte[] authMessage = Encoding.ASCII.GetBytes(_clientFirstBare + "," + serverFirst + "," + withoutProof);
        byte[] clientSignature = HMACSHA256.HashData(storedKey, authMessage);
        for (int i = 0; i < clientKey.Length; i++)
        {
            clientKey[i] ^= clientSignature[i];
        }

        _expectedServerSignature = HMACSHA256.HashData(ScramPrimitives.ServerKey(saltedPassword), authMessage);
        clientFinal = Encoding.ASCII.GetBytes(withoutProof + ",p=" + Convert.ToBase64String(clientKey));
        CryptographicOperations.ZeroMemory(clientKey);
        failure = string.Empty;
        return true;
    }

    /// <summary>Checks server-final-message's signature.</summary>
    public bool TryHandleServerFinal(ReadOnlySpan<byte> message, out string failure)
    {
        if (_expectedServerSignature is null || message.Length > 256 || !IsPrintableAscii(message))
        {
            failure = "server-final-message is malformed";
            return false;
        }

        string text = Encoding.ASCII.GetString(message);
        if (text.StartsWith("e=", StringComparison.Ordinal))
        {
            failure = "server reported a SCRAM error";
            return false;
        }

        byte[] signature;
        try
        {
            signature = text.StartsWith("v=", StringComparison.Ordinal) ? Convert.FromBase64String(text.Substring(2)) : [];
        }
        catch (FormatException)
        {
            signature = [];
        }

        if (!CryptographicOperations.FixedTimeEquals(signature, _expectedServerSignature))
        {
            failure = "server signature does not match: the upstream does not hold the verifier";
            return false;
        }

        IsComplete = true;
        failure = string.Empty;
        return true;
    }

    private static bool IsPrintableAscii(ReadOnlySpan<byte> message)
    {
        foreach (byte b in message)
        {
            if (b is < 0x20 or > 0x7E)
            {
                return false;
            }
        }

        return true;
    }
}
