using System.Buffers;
using System.Text;
using System.Text.RegularExpressions;

namespace Gateway.Core.Masking;

// Custom detectors: an operator's regular expressions, run after the built-in pass.
internal sealed partial class ContentScanner
{
    /// <summary>
    /// How long one custom pattern may run on one value. A pattern that backtracks catastrophically on some input
    /// costs at most this per value, and that value is then masked whole rather than let through.
    /// </summary>
    public static readonly TimeSpan CustomMatchTimeout = TimeSpan.FromMilliseconds(100);

    /// <summary>Values up to this many bytes are transcoded into a stack buffer; longer ones into a pooled array.</summary>
    private const int StackTranscodeLimit = 256;

    private static CustomRule[] CompileCustom(IReadOnlyList<CustomDetector> custom)
    {
        var rules = new CustomRule[custom.Count];
        for (int i = 0; i < rules.Length; i++)
        {
            CustomDetector detector = custom[i] ?? throw new ArgumentException($"custom detector {i} is null", nameof(custom));
            if (string.IsNullOrWhiteSpace(detector.Name))
            {
                throw new ArgumentException($"custom detector {i} has no name", nameof(custom));
            }

            if (string.IsNullOrEmpty(detector.Pattern))
            {
                throw new ArgumentException($"custom detector '{detector.Name}' has no pattern", nameof(custom));
            }

            var regex = new Regex(detector.Pattern, RegexOptions.Compiled | RegexOptions.CultureInvariant, CustomMatchTimeout);
            rules[i] = new CustomRule(detector.Name, regex, LiteralPrefix(detector.Pattern));
        }

        return rules;
    }

    /// <summary>
    /// The literal text every match of <paramref name="pattern"/> starts with, as UTF-8, or null when we cannot tell.
    /// A value that does not contain it cannot match, so the pattern (and the transcoding) is skipped: the common
    /// operator pattern is a fixed prefix and a character class (<c>ACME-[0-9]{8}</c>, <c>sk_live_[A-Za-z0-9]{24}</c>).
    /// Conservative by construction: any alternation, group, class, escape of a letter or digit (<c>\d</c>, <c>\b</c>)
    /// or inline option ends the prefix, and a quantifier that can make the last literal optional removes it.
    /// </summary>
    internal static byte[]? LiteralPrefix(string pattern)
    {
        if (pattern.Contains('|', StringComparison.Ordinal))
        {
            return null;
        }

        var prefix = new StringBuilder();
        int i = pattern.StartsWith('^') ? 1 : 0;
        while (i < pattern.Length)
        {
            char c = pattern[i];
            if (c == '\\')
            {
                if (i + 1 < pattern.Length && char.IsAscii(pattern[i + 1]) && !char.IsAsciiLetterOrDigit(pattern[i + 1]))
                {
                    prefix.Append(pattern[i + 1]);
                    i += 2;
                    continue;
                }

                break;
            }

            if (c is '^' or '$' or '.' or '?' or '*' or '+' or '(' or ')' or '[' or ']' or '{' or '}')
            {
                break;
            }

            prefix.Append(c);
            i++;
        }

        if (prefix.Length > 0 && i < pattern.Length && pattern[i] is '?' or '*' or '{')
        {
            prefix.Length -= prefix.Length >= 2 && char.IsLowSurrogate(prefix[^1]) ? 2 : 1;
        }

        return prefix.Length == 0 ? null : Encoding.UTF8.GetBytes(prefix.ToString());
    }

    /// <summary>
    /// Runs the custom patterns whose literal prefix occurs in the value (or that have none) over its UTF-16 text, and
    /// merges their matches, mapped back to UTF-8 byte offsets, into the built-in ones. A timeout fails closed.
    /// </summary>
    private void ScanCustom(ReadOnlySpan<byte> utf8, ref MatchSink sink)
    {
        bool any = false;
        foreach (CustomRule rule in _custom)
        {
            if (rule.Prefix is null || utf8.IndexOf(rule.Prefix) >= 0)
            {
                any = true;
                break;
            }
        }

        if (!any)
        {
            return;
        }

        // UTF-16 never needs more code units than UTF-8 has bytes (a 4-byte sequence is 2 code units, an invalid
        // byte sequence becomes one U+FFFD).
        char[]? rented = null;
        Span<char> buffer = utf8.Length <= StackTranscodeLimit
            ? stackalloc char[StackTranscodeLimit]
            : (rented = ArrayPool<char>.Shared.Rent(utf8.Length));
        try
        {
            bool ascii = Ascii.IsValid(utf8);
            int length;
            if (ascii)
            {
                Ascii.ToUtf16(utf8, buffer, out length);
            }
            else
            {
                length = Transcode(utf8, buffer);
            }

            ReadOnlySpan<char> text = buffer.Slice(0, length);
            for (int r = 0; r < _custom.Length; r++)
            {
                CustomRule rule = _custom[r];
                if (rule.Prefix is not null && utf8.IndexOf(rule.Prefix) < 0)
                {
                    continue;
                }

                int chars = 0;
                int bytes = 0;
                foreach (ValueMatch match in rule.Regex.EnumerateMatches(text))
                {
                    if (match.Length == 0)
                    {
                        continue;
                    }

                    int start = match.Index;
                    int end = match.Index + match.Length;
                    if (!ascii)
                    {
                        start = ToUtf8Offset(utf8, start, roundUp: false, ref chars, ref bytes);
                        end = ToUtf8Offset(utf8, end, roundUp: true, ref chars, ref bytes);
                    }

                    if (!sink.Merge(start, end, FirstCustomDetector + r))
                    {
                        return;
                    }
                }
            }
        }
        catch (RegexMatchTimeoutException)
        {
            sink.Overflowed = true;
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<char>.Shared.Return(rented);
            }
        }
    }

    /// <summary>UTF-8 to UTF-16 one scalar at a time, each invalid sequence becoming one U+FFFD, exactly as
    /// <see cref="ToUtf8Offset"/> walks it back.</summary>
    private static int Transcode(ReadOnlySpan<byte> utf8, Span<char> chars)
    {
        int written = 0;
        int q = 0;
        while (q < utf8.Length)
        {
            Rune.DecodeFromUtf8(utf8.Slice(q), out Rune rune, out int consumed);
            written += rune.EncodeToUtf16(chars.Slice(written));
            q += consumed;
        }

        return written;
    }

    /// <summary>
    /// The UTF-8 offset of UTF-16 offset <paramref name="charIndex"/>, walking forward from a cursor (matches come in
    /// order). An offset inside a surrogate pair is rounded outwards, so that a match never covers half a character.
    /// </summary>
    private static int ToUtf8Offset(ReadOnlySpan<byte> utf8, int charIndex, bool roundUp, ref int chars, ref int bytes)
    {
        while (chars < charIndex)
        {
            Rune.DecodeFromUtf8(utf8.Slice(bytes), out Rune rune, out int consumed);
            int width = rune.Utf16SequenceLength;
            if (!roundUp && chars + width > charIndex)
            {
                break;
            }

            chars += width;
            bytes += consumed;
        }

        return bytes;
    }

    private sealed class CustomRule(string name, Regex regex, byte[]? prefix)
    {
        public string Name { get; } = name;

        public Regex Regex { get; } = regex;

        public byte[]? Prefix { get; } = prefix;
    }
}
