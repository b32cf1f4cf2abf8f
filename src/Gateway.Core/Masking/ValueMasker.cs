using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Gateway.Core.Masking;

/// <summary>
/// Writes the replacement of one value: per mask style, and valid for the column's type and format. Text-like
/// types get the replacement text (as a JSON string for json and jsonb, after jsonb's version byte in binary);
/// every other type becomes NULL, which is valid for all of them. Detector hits inside a text value are replaced by
/// a bracketed label such as <c>[email]</c>, which stays valid inside JSON strings, CSV fields and array literals.
/// </summary>
internal sealed class ValueMasker : IDisposable
{
    /// <summary>Length of the value part of a token (base32 characters).</summary>
    private const int TokenLength = 16;

    private readonly byte[] _redacted;
    private readonly byte[] _redactedJson;
    private readonly byte[] _tokenKey;

    // One HMAC context per session, reset after each token: the one-shot API builds a new native context (and hashes
    // the key pads again) for every value, which cost ~2 µs a token against ~0.3 µs reused.
    private IncrementalHash? _hmac;
    private readonly byte[][] _labels;

    public ValueMasker(MaskingPolicy policy, ContentScanner scanner)
    {
        _redacted = Encoding.UTF8.GetBytes(policy.RedactedText);
        _redactedJson = Encoding.UTF8.GetBytes(System.Text.Json.JsonSerializer.Serialize(policy.RedactedText, MaskingJsonContext.Default.String));
        _tokenKey = policy.TokenKey.ToArray();
        _labels = new byte[scanner.DetectorCount][];
        for (int i = 0; i < _labels.Length; i++)
        {
            _labels[i] = Encoding.UTF8.GetBytes("[" + scanner.DetectorName(i) + "]");
        }
    }

    /// <summary>
    /// Writes the masked form of <paramref name="value"/> into the arena. Returns false when the masked value is
    /// NULL (the caller writes length -1).
    /// </summary>
    public bool Mask(ReadOnlySpan<byte> value, MaskStyle style, int keepLast, PgTypeKind kind, bool binary, MaskingScratch scratch, out int offset, out int length)
    {
        offset = 0;
        length = 0;
        if (style == MaskStyle.Null || kind is not (PgTypeKind.Text or PgTypeKind.Json or PgTypeKind.Jsonb or PgTypeKind.Xml))
        {
            return false;
        }

        ReadOnlySpan<byte> text = kind == PgTypeKind.Jsonb && binary && !value.IsEmpty ? value.Slice(1) : value;
        bool json = kind is PgTypeKind.Json or PgTypeKind.Jsonb;
        int start = scratch.Used;
        if (kind == PgTypeKind.Jsonb && binary)
        {
            scratch.Append([1]);
        }

        switch (style)
        {
            case MaskStyle.Partial:
                WritePartial(json ? JsonStringContent(text) : text, keepLast, json, scratch);
                break;
            case MaskStyle.Token:
                WriteToken(json ? JsonStringContent(text) : text, json, scratch);
                break;
            default:
                scratch.Append(json ? _redactedJson : _redacted);
                break;
        }

        offset = start;
        length = scratch.Used - start;
        return true;
    }

    /// <summary>Writes <paramref name="value"/> with each detector match replaced by its label.</summary>
    public void ReplaceMatches(ReadOnlySpan<byte> value, ReadOnlySpan<DetectorMatch> matches, MaskingScratch scratch, out int offset, out int length)
    {
        int start = scratch.Used;
        int position = 0;
        foreach (DetectorMatch match in matches)
        {
            scratch.Append(value.Slice(position, match.Start - position));
            scratch.Append(_labels[Math.Min(match.Detector, _labels.Length - 1)]);
            position = match.Start + match.Length;
        }

        scratch.Append(value.Slice(position));
        offset = start;
        length = scratch.Used - start;
    }

    /// <summary>The redaction text alone, for fields of messages (errors, notices) rather than typed values.</summary>
    public ReadOnlySpan<byte> RedactedText => _redacted;

    private static void WritePartial(ReadOnlySpan<byte> text, int keepLast, bool json, MaskingScratch scratch)
    {
        // Keep whole UTF-8 characters: walk back keepLast lead bytes.
        int kept = 0;
        int start = text.Length;
        while (start > 0 && kept < keepLast)
        {
            start--;
            if ((text[start] & 0xC0) != 0x80)
            {
                kept++;
            }
        }

        // A value no longer than what would be kept shows nothing at all.
        ReadOnlySpan<byte> tail = start == 0 ? [] : text.Slice(start);
        if (json)
        {
            scratch.Append("\"****"u8);
            AppendJsonEscaped(tail, scratch);
            scratch.Append("\""u8);
        }
        else
        {
            scratch.Append("****"u8);
            scratch.Append(tail);
        }
    }

    private void WriteToken(ReadOnlySpan<byte> text, bool json, MaskingScratch scratch)
    {
        Span<byte> mac = stackalloc byte[32];
        _hmac ??= IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, _tokenKey);
        _hmac.AppendData(text);
        _hmac.GetHashAndReset(mac);
        const string Alphabet = "abcdefghijklmnopqrstuvwxyz234567";
        Span<byte> token = stackalloc byte[TokenLength + 6];
        int length = 0;
        if (json)
        {
            token[length++] = (byte)'"';
        }

        "tok_"u8.CopyTo(token.Slice(length));
        length += 4;
        ulong bits = BinaryPrimitives.ReadUInt64BigEndian(mac);
        ulong more = BinaryPrimitives.ReadUInt64BigEndian(mac.Slice(8));
        for (int i = 0; i < TokenLength; i++)
        {
            token[length++] = (byte)Alphabet[(int)(bits & 31)];
            bits = (bits >> 5) | ((more & 31) << 59);
            more >>= 5;
        }

        if (json)
        {
            token[length++] = (byte)'"';
        }

        scratch.Append(token.Slice(0, length));
    }

    /// <summary>For a JSON value that is a string, its content (still escaped); otherwise the value itself.</summary>
    private static ReadOnlySpan<byte> JsonStringContent(ReadOnlySpan<byte> json)
    {
        ReadOnlySpan<byte> trimmed = json.Trim((ReadOnlySpan<byte>)" \t\r\n"u8);
        return trimmed.Length >= 2 && trimmed[0] == '"' && trimmed[^1] == '"' ? trimmed[1..^1] : trimmed;
    }

    private static void AppendJsonEscaped(ReadOnlySpan<byte> text, MaskingScratch scratch)
    {
        Span<byte> escaped = stackalloc byte[6];
        "\\u00"u8.CopyTo(escaped);
        foreach (byte b in text)
        {
            if (b == '"')
            {
                scratch.Append("\\\""u8);
            }
            else if (b == '\\')
            {
                scratch.Append("\\\\"u8);
            }
            else if (b < 0x20)
            {
                escaped[4] = (byte)"0123456789abcdef"[b >> 4];
                escaped[5] = (byte)"0123456789abcdef"[b & 15];
                scratch.Append(escaped);
            }
            else
            {
                scratch.Append([b]);
            }
        }
    }

    public void Dispose() => _hmac?.Dispose();
}
