using System.Buffers.Binary;
using System.Text;
using static Gateway.Core.Masking.ScanChars;

namespace Gateway.Core.Masking;

// Tokens: e-mail addresses, AWS access key ids, JWTs and PEM private key blocks.
internal sealed partial class ContentScanner
{
    /// <summary>The longest PEM label we read (<c>ENCRYPTED PRIVATE KEY</c> is 21; <c>PGP PRIVATE KEY BLOCK</c> 21).</summary>
    private const int MaxPemLabel = 64;

    // The eight access key id prefixes, as a little-endian uint of their four ASCII bytes.
    private const uint Akia = 'A' | ('K' << 8) | ('I' << 16) | ('A' << 24);
    private const uint Asia = 'A' | ('S' << 8) | ('I' << 16) | ('A' << 24);
    private const uint Agpa = 'A' | ('G' << 8) | ('P' << 16) | ('A' << 24);
    private const uint Aida = 'A' | ('I' << 8) | ('D' << 16) | ('A' << 24);
    private const uint Aroa = 'A' | ('R' << 8) | ('O' << 16) | ('A' << 24);
    private const uint Anpa = 'A' | ('N' << 8) | ('P' << 16) | ('A' << 24);
    private const uint Anva = 'A' | ('N' << 8) | ('V' << 16) | ('A' << 24);
    private const uint Aipa = 'A' | ('I' << 8) | ('P' << 16) | ('A' << 24);

    /// <summary>
    /// E-mail addresses, found from their <c>@</c>: a local part of 1-64 characters from
    /// <c>[A-Za-z0-9._%+-]</c> (leading <c>.</c> <c>-</c> <c>+</c> <c>%</c> trimmed, no trailing dot) and a domain of
    /// at least two dot-separated LDH labels (1-63 characters, no leading or trailing dash, 253 in all) whose last label,
    /// the TLD, is 2 or more ASCII letters. Any case. The characters around it may be anything else, so it is found in
    /// JSON, CSV, XML, <c>&lt;…&gt;</c>, <c>mailto:</c> and prose; a sentence's final dot is not part of the domain.
    /// Refused: no dot in the domain (<c>user@localhost</c>, <c>image@sha256:…</c>), a numeric TLD (<c>pkg@1.2.3</c>,
    /// <c>Object@1b6d3586</c>), an empty local part (<c>@scope/pkg</c>, <c>@decorator</c>), a local part over 64,
    /// and retina asset names (<c>icon@2x.png</c>). Not recognised: quoted or non-ASCII local parts, IP-literal and
    /// non-punycode international domains, and obfuscated (<c>jane at example dot com</c>) or escaped
    /// (<c>jane%40example.com</c>, <c>\u0040</c>) forms.
    /// </summary>
    private static bool TryEmail(ReadOnlySpan<byte> s, int at, int floor, out int start, out int end)
    {
        start = at;
        end = at;

        // The local part, backwards from the '@', never into the previous match; one character past 64 means too long.
        int l = at;
        int limit = Math.Max(floor, at - 65);
        while (l > limit && IsEmailLocal(s[l - 1]))
        {
            l--;
        }

        if (at - l > 64)
        {
            return false;
        }

        while (l < at && s[l] is (byte)'.' or (byte)'-' or (byte)'+' or (byte)'%')
        {
            l++;
        }

        if (l == at || s[at - 1] == '.')
        {
            return false;
        }

        int q = at + 1;
        int labels = 0;
        int lastLabel = q;
        int firstLabelEnd = q;
        while (true)
        {
            int labelStart = q;
            while (q < s.Length && IsDomainLabel(s[q]) && q - labelStart <= 63)
            {
                q++;
            }

            int length = q - labelStart;
            if (length is 0 or > 63 || s[labelStart] == '-' || s[q - 1] == '-')
            {
                return false;
            }

            labels++;
            lastLabel = labelStart;
            if (labels == 1)
            {
                firstLabelEnd = q;
            }

            if (q + 1 < s.Length && s[q] == '.' && IsDomainLabel(s[q + 1]))
            {
                q++;
                continue;
            }

            break;
        }

        if (labels < 2 || q - at - 1 > 253 || q - lastLabel < 2)
        {
            return false;
        }

        for (int k = lastLabel; k < q; k++)
        {
            if (!IsLetter(s[k]))
            {
                return false;
            }
        }

        // Image assets for high-density screens (icon@2x.png, logo@3x.webp) have the shape of an address.
        if (labels == 2 && firstLabelEnd - at == 3 && IsDigit(s[at + 1]) && Lower(s[at + 2]) == 'x')
        {
            return false;
        }

        start = l;
        end = q;
        return true;
    }

    /// <summary>
    /// AWS access key ids: <c>AKIA</c>, <c>ASIA</c>, <c>AGPA</c>, <c>AIDA</c>, <c>AROA</c>, <c>ANPA</c>, <c>ANVA</c> or
    /// <c>AIPA</c> and 16 characters of <c>[A-Z0-9]</c>, as a whole token: no letter or digit on either side, so it is
    /// found in <c>key=AKIA…</c>, JSON, and SigV4's <c>Credential=AKIA…/20240101/…</c>, but not inside a longer
    /// base64 or hex string. Upper case only, as AWS issues them (a lower-cased id is no longer usable).
    /// </summary>
    private static bool TryAwsAccessKeyId(ReadOnlySpan<byte> s, int i, out int end)
    {
        end = i + 20;
        if (end > s.Length || IsLetterOrDigitBefore(s, i) || IsLetterOrDigitAfter(s, end))
        {
            return false;
        }

        uint prefix = BinaryPrimitives.ReadUInt32LittleEndian(s.Slice(i, 4));
        if (prefix is not (Akia or Asia or Agpa or Aida or Aroa or Anpa or Anva or Aipa))
        {
            return false;
        }

        for (int k = i + 4; k < end; k++)
        {
            if (!IsUpper(s[k]) && !IsDigit(s[k]))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// JSON web tokens, found from the <c>J</c> of <c>eyJ</c> (base64url of <c>{"</c>, so the header decodes to a
    /// JSON object). Recognised: a JWS, <c>header.payload.signature</c> with a header of at least 16 characters, a
    /// payload of at least 3 (<c>e30</c> is <c>{}</c>) and a signature of at least 16, or empty for an unsecured
    /// (<c>"alg":"none"</c>) token, whose final dot is then part of the match; and a JWE in compact form (five
    /// segments, the encrypted key possibly empty, IV and tag of at least 16). The token must start a base64url word.
    /// Refused: base64 JSON without dots, segments whose length no base64 encoding has (4n+1), shorter segments.
    /// </summary>
    private static bool TryJwt(ReadOnlySpan<byte> s, int j, int floor, out int start, out int end)
    {
        start = j - 2;
        end = j;
        if (start < floor || start < 0 || s[start] != 'e' || s[start + 1] != 'y' || (start > 0 && IsBase64Url(s[start - 1])))
        {
            return false;
        }

        int e1 = SegmentEnd(s, start);
        int length1 = e1 - start;
        if (length1 < 16 || !IsBase64Length(length1) || e1 >= s.Length || s[e1] != '.')
        {
            return false;
        }

        int e2 = SegmentEnd(s, e1 + 1);
        int length2 = e2 - e1 - 1;
        if (e2 >= s.Length || s[e2] != '.')
        {
            return false;
        }

        int e3 = SegmentEnd(s, e2 + 1);
        int length3 = e3 - e2 - 1;
        if (e3 < s.Length && s[e3] == '.')
        {
            int e4 = SegmentEnd(s, e3 + 1);
            if (e4 < s.Length && s[e4] == '.')
            {
                int e5 = SegmentEnd(s, e4 + 1);
                int length4 = e4 - e3 - 1;
                int length5 = e5 - e4 - 1;
                if ((length2 == 0 || length2 >= 16) && length3 >= 16 && length4 >= 2 && length5 >= 16
                    && IsBase64Length(length2) && IsBase64Length(length3) && IsBase64Length(length4) && IsBase64Length(length5)
                    && !(e5 < s.Length && s[e5] == '.'))
                {
                    end = e5;
                    return true;
                }
            }
        }

        if (length2 < 3 || !IsBase64Length(length2))
        {
            return false;
        }

        if (length3 == 0)
        {
            end = e2 + 1;
            return true;
        }

        if (length3 < 16 || !IsBase64Length(length3))
        {
            return false;
        }

        end = e3;
        return true;
    }

    /// <summary>Unpadded base64 never has 4n+1 characters: one character carries only 6 of a byte's 8 bits.</summary>
    private static bool IsBase64Length(int length) => (length & 3) != 1;

    private static int SegmentEnd(ReadOnlySpan<byte> s, int q)
    {
        int length = s.Slice(q).IndexOfAnyExcept(ScanChars.Base64Url);
        return length < 0 ? s.Length : q + length;
    }

    /// <summary>
    /// PEM private keys (RFC 7468): from <c>-----BEGIN &lt;label&gt;-----</c>, where the label contains
    /// <c>PRIVATE KEY</c> (<c>RSA</c>, <c>EC</c>, <c>DSA</c>, <c>ENCRYPTED</c>, <c>OPENSSH</c>, PKCS#8, and
    /// <c>PGP PRIVATE KEY BLOCK</c>), through the <c>-----END &lt;same label&gt;-----</c> line, whole. Case is ignored.
    /// Line breaks do not matter, so a key in a JSON string with <c>\n</c> escapes is found too. A block without its
    /// END line is masked to the end of the value, since everything after the BEGIN line may be key material.
    /// Not masked: certificates, public keys, CSRs; keys in other formats (PuTTY .ppk, JWK, bare base64 DER).
    /// </summary>
    private static bool TryPemPrivateKey(ReadOnlySpan<byte> s, int p, out int end)
    {
        end = p;
        if (p + 11 > s.Length || !s.Slice(p).StartsWith("-----"u8) || !Ascii.EqualsIgnoreCase(s.Slice(p + 5, 6), "BEGIN "u8))
        {
            return false;
        }

        int labelStart = p + 11;
        ReadOnlySpan<byte> rest = s.Slice(labelStart, Math.Min(MaxPemLabel + 5, s.Length - labelStart));
        int labelLength = rest.IndexOf("-----"u8);
        if (labelLength < 0 || !IsPrivateKeyLabel(rest.Slice(0, labelLength)))
        {
            return false;
        }

        ReadOnlySpan<byte> label = rest.Slice(0, labelLength);
        int q = labelStart + labelLength + 5;
        while (true)
        {
            int offset = s.Slice(q).IndexOf("-----"u8);
            if (offset < 0)
            {
                end = s.Length;
                return true;
            }

            int dashes = q + offset;
            int labelAt = dashes + 9;
            if (labelAt + labelLength + 5 <= s.Length && Ascii.EqualsIgnoreCase(s.Slice(dashes + 5, 4), "END "u8)
                && Ascii.EqualsIgnoreCase(s.Slice(labelAt, labelLength), label)
                && s.Slice(labelAt + labelLength).StartsWith("-----"u8))
            {
                end = labelAt + labelLength + 5;
                return true;
            }

            q = dashes + 1;
        }
    }

    private static bool IsPrivateKeyLabel(ReadOnlySpan<byte> label)
    {
        bool privateKey = false;
        for (int k = 0; k < label.Length; k++)
        {
            byte b = label[k];
            if (!IsLetterOrDigit(b) && b != ' ')
            {
                return false;
            }

            privateKey |= k + 11 <= label.Length && Lower(b) == 'p' && Ascii.EqualsIgnoreCase(label.Slice(k, 11), "PRIVATE KEY"u8);
        }

        return privateKey;
    }
}
