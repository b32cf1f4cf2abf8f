using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Gateway.Core.Authentication;

/// <summary>
/// The server half of one SCRAM-SHA-256 exchange (RFC 5802 §5, RFC 7677) against a stored verifier. Failures come
/// back as a reason for the audit log that never quotes what the client sent. Channel binding is not offered, so a
/// client that insists on it ('p') is refused and one that merely supports it ('y') is accepted.
/// </summary>
internal sealed class ScramServerExchange
{
    /// <summary>Longest client nonce accepted; PostgreSQL's clients send 24 characters.</summary>
    public const int MaxNonceLength = 256;

    private readonly ScramVerifier _verifier;
    private readonly bool _isDecoy;
    private string? _gs2Header;
    private string? _clientFirstBare;
    private string? _serverFirst;
    private string? _nonce;

    /// <param name="verifier">The stored verifier.</param>
    /// <param name="isDecoy">
    /// True when the user is unknown: the exchange runs to the end with a made-up verifier and then fails, so that
    /// a client cannot tell an unknown user from a wrong secret.
    /// </param>
    public ScramServerExchange(ScramVerifier verifier, bool isDecoy)
    {
        _verifier = verifier;
        _isDecoy = isDecoy;
    }

    /// <summary>Handles client-first-message and produces server-first-message.</summary>
    public bool TryHandleClientFirst(ReadOnlySpan<byte> message, out byte[] serverFirst, out string failure)
    {
        serverFirst = [];
        if (!TryDecodeAscii(message, out string text))
        {
            failure = "client-first-message is not printable ASCII";
            return false;
        }

        // gs2-header = gs2-cbind-flag "," [ authzid ] ","
        int firstComma = text.IndexOf(',', StringComparison.Ordinal);
        int secondComma = firstComma < 0 ? -1 : text.IndexOf(',', firstComma + 1);
        if (secondComma < 0)
        {
            failure = "client-first-message has no GS2 header";
            return false;
        }

        string flag = text.Substring(0, firstComma);
        if (flag.StartsWith("p=", StringComparison.Ordinal))
        {
            failure = "client requires channel binding, which was not offered";
            return false;
        }

        if (flag is not ("n" or "y"))
        {
            failure = "client-first-message has an invalid channel-binding flag";
            return false;
        }

        if (secondComma != firstComma + 1)
        {
            failure = "client-first-message names an authorization identity, which is not supported";
            return false;
        }

        _gs2Header = text.Substring(0, secondComma + 1);
        _clientFirstBare = text.Substring(secondComma + 1);
        string[] attributes = _clientFirstBare.Split(',');
        if (attributes.Length < 2 || attributes[0].StartsWith("m=", StringComparison.Ordinal)
            || !attributes[0].StartsWith("n=", StringComparison.Ordinal) || !attributes[1].StartsWith("r=", StringComparison.Ordinal))
        {
            failure = "client-first-message is not n=<user>,r=<nonce>";
            return false;
        }

        string clientNonce = attributes[1].Substring(2);
        if (clientNonce.Length == 0 || clientNonce.Length > MaxNonceLength)
        {
            failure = "client nonce is empty or too long";
            return false;
        }

        _nonce = clientNonce + ScramPrimitives.NewNonce();
        _serverFirst = string.Create(CultureInfo.InvariantCulture,
            $"r={_nonce},s={Convert.ToBase64String(_verifier.Salt.Span)},i={_verifier.Iterations}");
        serverFirst = Encoding.ASCII.GetBytes(_serverFirst);
        failure = string.Empty;
        return true;
    }

    /// <summary>Checks client-final-message's proof and produces server-final-message.</summary>
    public bool TryHandleClientFinal(ReadOnlySpan<byte> message, out byte[] serverFinal, out string failure)
    {
        serverFinal = [];
        if (_serverFirst is null || !TryDecodeAscii(message, out string text))
        {
            failure = "client-final-message is not printable ASCII";
            return false;
        }

        int proofStart = text.LastIndexOf(",p=", StringComparison.Ordinal);
        if (proofStart < 0)
        {
            failure = "client-final-message has no proof";
            return false;
        }

        string withoutProof = text.Substring(0, proofStart);
        string[] attributes = withoutProof.Split(',');
        if (attributes.Length < 2 || !attributes[0].StartsWith("c=", StringComparison.Ordinal) || !attributes[1].StartsWith("r=", StringComparison.Ordinal))
        {
            failure = "client-final-message is not c=<binding>,r=<nonce>,...,p=<proof>";
            return false;
        }

        if (!TryFromBase64(attributes[0].AsSpan(2), out byte[] binding) || !binding.AsSpan().SequenceEqual(Encoding.ASCII.GetBytes(_gs2Header!)))
        {
            failure = "channel-binding attribute does not repeat the GS2 header";
            return false;
        }

        if (!string.Equals(attributes[1].Substring(2), _nonce, StringComparison.Ordinal))
        {
            failure = "client-final-message nonce does not match";
            return false;
        }

        if (!TryFromBase64(text.AsSpan(proofStart + 3), out byte[] proof) || proof.Length != ScramPrimitives.KeyLength)
        {
            failure = "client proof is not 32 bytes of base64";
            return false;
        }

        byte[] authMessage = Encoding.ASCII.GetBytes(_clientFirstBare + "," + _serverFirst + "," + withoutProof);
        Span<byte> clientKey = stackalloc byte[ScramPrimitives.KeyLength];
        HMACSHA256.HashData(_verifier.StoredKey.Span, authMessage, clientKey);
        for (int i = 0; i < clientKey.Length; i++)
        {
            clientKey[i] ^= proof[i];
        }

        Span<byte> storedKey = stackalloc byte[ScramPrimitives.KeyLength];
        SHA256.HashData(clientKey, storedKey);
        bool matches = CryptographicOperations.FixedTimeEquals(storedKey, _verifier.StoredKey.Span);
        CryptographicOperations.ZeroMemory(clientKey);
        if (!matches || _isDecoy)
        {
            failure = "client proof does not match the stored verifier";
            return false;
        }

        byte[] serverSignature = HMACSHA256.HashData(_verifier.ServerKey.Span, authMessage);
        serverFinal = Encoding.ASCII.GetBytes("v=" + Convert.ToBase64String(serverSignature));
        failure = string.Empty;
        return true;
    }

    private static bool TryDecodeAscii(ReadOnlySpan<byte> message, out string text)
    {
        foreach (byte b in message)
        {
            if (b is < 0x20 or > 0x7E)
            {
                text = string.Empty;
                return false;
            }
        }

        text = Encoding.ASCII.GetString(message);
        return true;
    }

    private static bool TryFromBase64(ReadOnlySpan<char> text, out byte[] bytes)
    {
        bytes = new byte[(text.Length * 3 / 4) + 3];
        if (Convert.TryFromBase64Chars(text, bytes, out int written))
        {
            bytes = bytes.AsSpan(0, written).ToArray();
            return true;
        }

        bytes = [];
        return false;
    }
}
