using static Gateway.Core.Masking.ScanChars;

namespace Gateway.Core.Masking;

// Secrets named by their key: password/token/API key assignments, and AWS secret access keys.
internal sealed partial class ContentScanner
{
    /// <summary>The key names a secret assignment, whatever the value looks like.</summary>
    private const int AssignmentKey = 1;

    /// <summary>The key names an AWS secret key: its value is one when it has the secret key's shape.</summary>
    private const int AwsSecretKeyName = 2;

    /// <summary>
    /// Secret assignments, found from their <c>=</c> or <c>:</c>: a key that ends with one of <c>password</c>,
    /// <c>passwd</c>, <c>pwd</c>, <c>secret</c>, <c>api_key</c>/<c>apikey</c>/<c>api-key</c>, <c>token</c> (so also
    /// <c>access_token</c>, <c>auth_token</c>), <c>secret_key</c>, <c>secret_access_key</c>, any case, with the keyword
    /// starting a word (after a non-letter or at a camelCase hump: <c>DB_PASSWORD</c>, <c>dbPassword</c>,
    /// <c>x-api-key</c>, <c>clientSecret</c>); then <c>=</c>, <c>:</c> or <c>:=</c>, with blanks and quotes around
    /// either side allowed (<c>password=…</c>, <c>password = '…'</c>, <c>"password": "…"</c>, <c>\"token\":\"…\"</c>
    /// inside a JSON string, <c>Password: …</c>). The match is the value only: inside its quotes (JSON backslash
    /// escapes and SQL's doubled <c>''</c> understood; unterminated, to the end of the line), or unquoted up to
    /// whitespace or <c>, ; " ' &lt; &gt; ) ] }</c>, or an <c>&amp;</c> that starts the next query parameter.
    /// Refused: comparisons (<c>==</c>, <c>!=</c>, <c>&lt;=</c>, <c>&gt;=</c>) and <c>::</c>; empty values; the
    /// unquoted literals <c>null</c>, <c>true</c>, <c>false</c> (a JSON null is not a secret, and masking it would break
    /// the JSON); keywords inside a word (<c>nopassword</c>, <c>csrftoken</c>, <c>DBPASSWORD</c>) and paths
    /// (<c>/etc/passwd:</c>). Known costs: a prose <c>Password: required</c> masks <c>required</c>, and a shell's
    /// <c>PWD=/home/x</c> masks the directory. Not recognised: <c>password is x</c>, HTTP <c>Authorization:</c>
    /// headers (a bearer JWT is caught by the JWT detector), URL credentials (<c>user:pw@host</c>, partly caught as
    /// an e-mail address).
    /// <para>
    /// AWS secret access keys: 40 characters of <c>[A-Za-z0-9/+]</c>, with upper and lower case letters and a
    /// digit, as the whole value of a key ending in <c>secret_access_key</c>, <c>SecretAccessKey</c>,
    /// <c>secret_key</c> or <c>secret</c> (so <c>aws_secret_access_key = …</c>, <c>"SecretAccessKey": "…"</c>), or as a
    /// whole token anywhere in a value that also holds an access key id (see <see cref="ScanSecretKeysNearKeyId"/>).
    /// A lone 40-character base64 string is not a secret key to us: git SHAs (hex, no upper case) and ordinary base64
    /// data of that length are far more common than a secret key without its id or name.
    /// </para>
    /// </summary>
    private static int TryAssignment(ReadOnlySpan<byte> s, int i, ContentDetectors on, out int start, out int end)
    {
        start = i;
        end = i;
        byte separator = s[i];
        byte before = i > 0 ? s[i - 1] : (byte)0;
        byte after = i + 1 < s.Length ? s[i + 1] : (byte)0;
        if (separator == '='
            ? after == '=' || before is (byte)'=' or (byte)'!' or (byte)'<' or (byte)'>' or (byte)':'
            : after == ':' || before == ':')
        {
            return -1;
        }

        // The key ends before blanks and a closing quote, which may be escaped when the text is itself a JSON string.
        int k = i - 1;
        while (k >= 0 && i - k <= 4 && s[k] is (byte)' ' or (byte)'\t')
        {
            k--;
        }

        if (k >= 0 && s[k] is (byte)'"' or (byte)'\'')
        {
            k--;
            if (k >= 0 && s[k] == '\\')
            {
                k--;
            }
        }

        if (k < 0)
        {
            return -1;
        }

        int kind = MatchKey(s, k + 1);
        bool awsName = (kind & AwsSecretKeyName) != 0 && (on & ContentDetectors.AwsSecretKey) != 0;
        bool assignment = (kind & AssignmentKey) != 0 && (on & ContentDetectors.SecretAssignment) != 0;
        if (!awsName && !assignment)
        {
            return -1;
        }

        int v = separator == ':' && after == '=' ? i + 2 : i + 1;
        while (v < s.Length && s[v] is (byte)' ' or (byte)'\t')
        {
            v++;
        }

        if (!TryReadValue(s, v, out start, out end, out bool quoted))
        {
            return -1;
        }

        ReadOnlySpan<byte> value = s.Slice(start, end - start);
        if (!quoted && (value.SequenceEqual("null"u8) || value.SequenceEqual("true"u8) || value.SequenceEqual("false"u8)))
        {
            return -1;
        }

        if (awsName && IsAwsSecretKeyShape(value))
        {
            return AwsSecretKeyDetector;
        }

        return assignment ? SecretAssignmentDetector : -1;
    }

    /// <summary>Which kinds of secret the key ending at <paramref name="keyEnd"/> names. The last letter picks the
    /// candidates, so most keys (and every <c>:</c> of a timestamp) are settled by one comparison.</summary>
    private static int MatchKey(ReadOnlySpan<byte> s, int keyEnd)
        => Lower(s[keyEnd - 1]) switch
        {
            (byte)'d' => EndsWithKey(s, keyEnd, "password"u8) || EndsWithKey(s, keyEnd, "passwd"u8) || EndsWithKey(s, keyEnd, "pwd"u8)
                ? AssignmentKey : 0,
            (byte)'t' => EndsWithKey(s, keyEnd, "secret"u8) ? AssignmentKey | AwsSecretKeyName : 0,
            (byte)'n' => EndsWithKey(s, keyEnd, "token"u8) ? AssignmentKey : 0,
            (byte)'y' => EndsWithKey(s, keyEnd, "secretaccesskey"u8) || EndsWithKey(s, keyEnd, "secretkey"u8)
                ? AssignmentKey | AwsSecretKeyName
                : EndsWithKey(s, keyEnd, "apikey"u8) ? AssignmentKey : 0,
            _ => 0,
        };

    /// <summary>
    /// Whether the key ending at <paramref name="keyEnd"/> ends with <paramref name="keyword"/> (lower case, no
    /// separators), ignoring case and any <c>_</c>, <c>-</c> or <c>.</c> between its letters, and the keyword starts a
    /// word.
    /// </summary>
    private static bool EndsWithKey(ReadOnlySpan<byte> s, int keyEnd, ReadOnlySpan<byte> keyword)
    {
        int i = keyEnd - 1;
        int k = keyword.Length - 1;
        while (k >= 0)
        {
            if (i < 0)
            {
                return false;
            }

            byte c = s[i];
            if (c is (byte)'_' or (byte)'-' or (byte)'.' && k < keyword.Length - 1)
            {
                i--;
                continue;
            }

            if (Lower(c) != keyword[k])
            {
                return false;
            }

            i--;
            k--;
        }

        if (i < 0)
        {
            return true;
        }

        byte previous = s[i];
        if (previous is (byte)'/' or (byte)'\\')
        {
            return false;
        }

        return !IsLetter(previous) || (IsLower(previous) && IsUpper(s[i + 1]));
    }

    /// <summary>The value that starts at <paramref name="v"/>: the inside of its quotes, or an unquoted word.</summary>
    private static bool TryReadValue(ReadOnlySpan<byte> s, int v, out int start, out int end, out bool quoted)
    {
        start = v;
        end = v;
        quoted = false;
        if (v >= s.Length)
        {
            return false;
        }

        byte first = s[v];
        if (first is (byte)'"' or (byte)'\'')
        {
            quoted = true;
            start = v + 1;
            end = ClosingQuote(s, start, first);
        }
        else if (first == '\\' && v + 1 < s.Length && s[v + 1] == '"')
        {
            // An escaped quote: the assignment is itself inside a JSON string ("{\"password\":\"…\"}").
            quoted = true;
            start = v + 2;
            int offset = s.Slice(start).IndexOf("\\\""u8);
            end = offset >= 0 ? start + offset : LineEnd(s, start);
        }
        else
        {
            end = UnquotedValueEnd(s, v);
        }

        return end > start;
    }

    /// <summary>
    /// Where an unquoted value ends. An <c>&amp;</c> ends it only where a query string's next parameter follows
    /// (<c>&amp;limit=5</c>): elsewhere it is part of the secret (<c>Pwd=Tr0ub4dor&amp;3;</c>), and cutting there would
    /// leave its tail unmasked.
    /// </summary>
    private static int UnquotedValueEnd(ReadOnlySpan<byte> s, int v)
    {
        int q = v;
        while (true)
        {
            int offset = s.Slice(q).IndexOfAny(ScanChars.UnquotedValueEnd);
            if (offset < 0)
            {
                return s.Length;
            }

            q += offset;
            if (s[q] != '&' || IsQueryParameterAt(s, q + 1))
            {
                return q;
            }

            q++;
        }
    }

    /// <summary>Whether <c>name=</c> starts at <paramref name="p"/> (a query-string parameter name and its equals sign).</summary>
    private static bool IsQueryParameterAt(ReadOnlySpan<byte> s, int p)
    {
        int q = p;
        while (q < s.Length && (IsLetterOrDigit(s[q]) || s[q] is (byte)'_' or (byte)'.' or (byte)'-' or (byte)'[' or (byte)']'))
        {
            q++;
        }

        return q > p && q < s.Length && s[q] == '=';
    }

    /// <summary>Where a quoted value ends: its closing quote (skipping JSON's backslash escapes inside double quotes
    /// and SQL's doubled single quote), or, for an unterminated one, the end of the line.</summary>
    private static int ClosingQuote(ReadOnlySpan<byte> s, int from, byte quote)
    {
        int q = from;
        while (q < s.Length)
        {
            byte c = s[q];
            if (c == quote)
            {
                if (quote == '\'' && q + 1 < s.Length && s[q + 1] == '\'')
                {
                    q += 2;
                    continue;
                }

                return q;
            }

            if (c == '\\' && quote == '"')
            {
                q += 2;
                continue;
            }

            if (c is (byte)'\n' or (byte)'\r')
            {
                return q;
            }

            q++;
        }

        return s.Length;
    }

    private static int LineEnd(ReadOnlySpan<byte> s, int from)
    {
        int offset = s.Slice(from).IndexOfAny(ScanChars.LineEnd);
        return offset < 0 ? s.Length : from + offset;
    }

    private static bool IsAwsSecretKeyShape(ReadOnlySpan<byte> value)
        => value.Length == 40 && !value.ContainsAnyExcept(ScanChars.Base64)
            && value.ContainsAnyInRange((byte)'A', (byte)'Z') && value.ContainsAnyInRange((byte)'a', (byte)'z')
            && value.ContainsAnyInRange((byte)'0', (byte)'9');

    /// <summary>
    /// After an AWS access key id was seen: every whole base64 token in the value (delimited by characters outside
    /// <c>[A-Za-z0-9/+]</c>, not followed by <c>=</c> padding) that has a secret key's shape, wherever it is, since
    /// credentials are written in either order (<c>AKIA…:wJalr…</c>, CSV exports, JSON).
    /// </summary>
    private static void ScanSecretKeysNearKeyId(ReadOnlySpan<byte> s, ref MatchSink sink)
    {
        int q = 0;
        while (q < s.Length)
        {
            int offset = s.Slice(q).IndexOfAny(ScanChars.Base64);
            if (offset < 0)
            {
                return;
            }

            int tokenStart = q + offset;
            offset = s.Slice(tokenStart).IndexOfAnyExcept(ScanChars.Base64);
            int tokenEnd = offset < 0 ? s.Length : tokenStart + offset;
            if (tokenEnd - tokenStart == 40 && (tokenEnd == s.Length || s[tokenEnd] != '=')
                && IsAwsSecretKeyShape(s.Slice(tokenStart, 40)) && !sink.Merge(tokenStart, tokenEnd, AwsSecretKeyDetector))
            {
                return;
            }

            q = tokenEnd;
        }
    }
}
