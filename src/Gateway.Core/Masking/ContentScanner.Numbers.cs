using System.Runtime.CompilerServices;
using System.Text;
using static Gateway.Core.Masking.ScanChars;

namespace Gateway.Core.Masking;

// Numbers: payment cards, US SSNs, phone numbers, IBANs. A run of digit groups joined by single separators
// (' ', '-', '.') is read once and then tried against each shape, group by group, left to right.
//
// Boundaries shared by all of them: a number glued to a letter (hex ids, "v1234…", "A123…") or to a decimal point
// with digits on its other side (0.5488135039273248, 1234.50) is not one of these values; and a shape must be
// delimited, not cut out of a longer chain of groups joined by the same separator.
internal sealed partial class ContentScanner
{
    /// <summary>Digit groups read from one run; a longer run is continued as a new run after the 16th group.</summary>
    private const int MaxGroups = 16;

    /// <summary>IBAN length by country (ISO 3166 alpha-2, 26 x 26), 0 for a country without IBANs in our table.</summary>
    private static readonly byte[] IbanLengths = CreateIbanLengths();

    /// <summary>
    /// The digit anchor at <paramref name="i"/>: an IBAN when two letters precede it, otherwise the run of digit groups
    /// starting there as a card, SSN or phone number. <paramref name="next"/> is where scanning resumes when nothing
    /// matched: after the run, so that its digits are not judged again one by one.
    /// </summary>
    private static int ScanDigits(ReadOnlySpan<byte> s, int i, int floor, ContentDetectors on, out int start, out int end, out int next)
    {
        start = i;
        end = i;
        int groupEnd = SkipDigits(s, i);
        next = groupEnd;

        // Inside a number whose start was already judged (scanning resumed after a token that ended in it).
        if (i > 0 && IsDigit(s[i - 1]))
        {
            return -1;
        }

        if ((on & ContentDetectors.Iban) != 0 && i >= 2 && IsLetter(s[i - 1]) && TryIban(s, i, floor, out start, out end))
        {
            return IbanDetector;
        }

        if ((on & (ContentDetectors.PaymentCard | ContentDetectors.UsSsn | ContentDetectors.Phone)) == 0)
        {
            return -1;
        }

        // Most digit runs are short and stand alone (counts, years, house numbers, ids); every shape below has at
        // least 9 digits, so these are settled without reading further.
        if (groupEnd - i < 9 && !(groupEnd + 1 < s.Length && IsGroupSeparator(s[groupEnd]) && IsDigit(s[groupEnd + 1])))
        {
            return -1;
        }

        return ClassifyRun(s, i, on, out start, out end, out next);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static int ClassifyRun(ReadOnlySpan<byte> s, int i, ContentDetectors on, out int start, out int end, out int next)
    {
        Span<int> bounds = stackalloc int[2 * MaxGroups];
        int groups = 0;
        int digits = 0;
        int j = i;
        while (true)
        {
            int groupStart = j;
            j = SkipDigits(s, j);
            bounds[2 * groups] = groupStart;
            bounds[(2 * groups) + 1] = j;
            groups++;
            digits += j - groupStart;
            if (groups == MaxGroups || j + 1 >= s.Length || !IsGroupSeparator(s[j]) || !IsDigit(s[j + 1]))
            {
                break;
            }

            j++;
        }

        next = j;
        start = i;
        end = i;
        if (digits < 9)
        {
            return -1;
        }

        var run = new DigitRun(s, bounds.Slice(0, 2 * groups));
        for (int g = 0; g < groups; g++)
        {
            if ((on & ContentDetectors.PaymentCard) != 0 && TryCard(in run, g, out start, out end))
            {
                return PaymentCardDetector;
            }

            if ((on & ContentDetectors.UsSsn) != 0 && TrySsn(in run, g, out start, out end))
            {
                return UsSsnDetector;
            }

            if ((on & ContentDetectors.Phone) != 0 && TryNanp(in run, g, out start, out end))
            {
                return PhoneDetector;
            }
        }

        return -1;
    }

    /// <summary>
    /// Payment card numbers. Recognised: 13-19 digits written together (<c>4111111111111111</c>), or in the printed
    /// groupings with one kind of separator, a space or a dash: 4-4-4-4 (16), 4-4-4-4-1..3 (17-19), 4-4-4-1..3 (13-15),
    /// 4-6-5 (Amex, 15) and 4-6-4 (Diners, 14). The number must pass the Luhn check and start with an issuer prefix we
    /// know, at a length that issuer uses (see <see cref="IsKnownCardPrefix"/>).
    /// Refused: a 13-19 digit piece of a longer digit run (a 20-digit order id), digits glued to letters (hex),
    /// the fraction or integer part of a decimal number, a 4-digit grouping inside a longer chain of 4-digit groups,
    /// any Luhn failure, and prefixes no card network issues (0, 1, 7, 8, 9 and most of 2, 3 and 6), which rules out
    /// epoch timestamps in ms/ns and most snowflake ids. A 16-digit id that happens to pass both checks (about 4-5% of
    /// random 16-digit numbers) cannot be told from a card and is masked.
    /// </summary>
    private static bool TryCard(in DigitRun run, int g, out int start, out int end)
    {
        ReadOnlySpan<byte> s = run.Text;
        start = run.Start(g);
        end = run.End(g);
        int length = run.Length(g);
        if (length >= 13)
        {
            return length <= 19 && IsIsolated(s, start, end) && IsCardNumber(s, start, end, length);
        }

        if (length != 4)
        {
            return false;
        }

        byte separator = run.SeparatorAfter(g);
        if (separator is not ((byte)' ' or (byte)'-') || IsLetterOrDigitBefore(s, start)
            || (run.SeparatorBefore(g) == separator && run.LengthBefore(g) == 4))
        {
            return false;
        }

        // The lengths of the groups after the first, as long as the same separator joins them.
        int l1 = GroupLengthIfJoined(in run, g + 1, separator);
        int l2 = l1 == 0 ? 0 : GroupLengthIfJoined(in run, g + 2, separator);
        int l3 = l2 == 0 ? 0 : GroupLengthIfJoined(in run, g + 3, separator);
        int l4 = l3 == 0 ? 0 : GroupLengthIfJoined(in run, g + 4, separator);

        if (l1 == 4 && l2 == 4 && l3 == 4)
        {
            if (l4 is >= 1 and <= 3 && IsGroupedCardEnd(in run, g + 4, separator, start, 16 + l4, out end))
            {
                return true;
            }

            if (IsGroupedCardEnd(in run, g + 3, separator, start, 16, out end))
            {
                return true;
            }
        }

        if (l1 == 4 && l2 == 4 && l3 is >= 1 and <= 3 && IsGroupedCardEnd(in run, g + 3, separator, start, 12 + l3, out end))
        {
            return true;
        }

        return l1 == 6 && l2 is 4 or 5 && IsGroupedCardEnd(in run, g + 2, separator, start, 10 + l2, out end);
    }

    private static int GroupLengthIfJoined(in DigitRun run, int g, byte separator)
        => g < run.Groups && run.SeparatorBefore(g) == separator ? run.Length(g) : 0;

    private static bool IsGroupedCardEnd(in DigitRun run, int last, byte separator, int start, int digits, out int end)
    {
        ReadOnlySpan<byte> s = run.Text;
        end = run.End(last);
        return !IsLetterOrDigitAfter(s, end) && !IsDecimalPointAfter(s, end)
            && !(run.SeparatorAfter(last) == separator && run.LengthAfter(last) == 4)
            && IsCardNumber(s, start, end, digits);
    }

    /// <summary>Issuer prefix and length, then Luhn, over the digits in [start, end) (separators skipped).</summary>
    private static bool IsCardNumber(ReadOnlySpan<byte> s, int start, int end, int digits)
    {
        int prefix = 0;
        int taken = 0;
        for (int k = start; taken < 6; k++)
        {
            uint d = (uint)(s[k] - '0');
            if (d <= 9)
            {
                prefix = (prefix * 10) + (int)d;
                taken++;
            }
        }

        return IsKnownCardPrefix(prefix, digits) && IsLuhnValid(s, start, end);
    }

    /// <summary>
    /// The issuer ranges we accept (first six digits) and the lengths each issues: Visa 4 (13, 16, 19); Mastercard
    /// 51-55 and 2221-2720 (16); Amex 34, 37 (15); Discover 6011, 644-649, 65 (16-19); UnionPay 62 (16-19); JCB
    /// 3528-3589 (16-19); Diners Club 300-305, 36, 38, 39 (14-19); Maestro 50, 56-58, 6304, 6759, 6761-6763 (13-19);
    /// Mir 2200-2204 (16-19). Not recognised: RuPay's 60/81/82/508 ranges, Verve, Troy, private-label cards.
    /// </summary>
    private static bool IsKnownCardPrefix(int prefix6, int length)
    {
        int p2 = prefix6 / 10_000;
        int p3 = prefix6 / 1_000;
        int p4 = prefix6 / 100;
        return (prefix6 / 100_000) switch
        {
            4 => length is 13 or 16 or 19,
            5 => p2 is >= 51 and <= 55 ? length == 16 : p2 is 50 or (>= 56 and <= 58),
            2 => p4 is >= 2221 and <= 2720 ? length == 16 : p4 is >= 2200 and <= 2204 && length >= 16,
            3 => p2 is 34 or 37 ? length == 15
                : p3 is >= 300 and <= 305 || p2 is 36 or 38 or 39 ? length >= 14
                : p4 is >= 3528 and <= 3589 && length >= 16,
            6 => p4 == 6011 || p3 is >= 644 and <= 649 || p2 is 65 or 62 ? length >= 16
                : p4 is 6304 or 6759 or (>= 6761 and <= 6763),
            _ => false,
        };
    }

    private static bool IsLuhnValid(ReadOnlySpan<byte> s, int start, int end)
    {
        int sum = 0;
        bool doubled = false;
        for (int k = end - 1; k >= start; k--)
        {
            uint d = (uint)(s[k] - '0');
            if (d > 9)
            {
                continue;
            }

            if (doubled)
            {
                d *= 2;
                if (d > 9)
                {
                    d -= 9;
                }
            }

            sum += (int)d;
            doubled = !doubled;
        }

        return sum % 10 == 0;
    }

    /// <summary>
    /// US social security numbers. Recognised: <c>AAA-GG-SSSS</c> and <c>AAA GG SSSS</c> with one kind of separator,
    /// in the ranges the SSA issues: area 001-899 except 666, group 01-99, serial 0001-9999. Nine bare digits
    /// (<c>123456789</c>) only when a label names them within the 32 bytes before: <c>ssn</c> or <c>social</c> at the
    /// start of a word, any case (<c>SSN: 123456789</c>, <c>"customer_ssn":"123456789"</c>, <c>Social Security No.
    /// 123456789</c>). Without that rule every 9-digit id, amount or zip+4 in range would be masked; with it, a bare SSN
    /// in a column whose name is the only label (the name is not in the value) is not recognised.
    /// Refused: a 3-2-4 shape inside a longer chain, glued to letters or to a decimal point, and mixed separators.
    /// </summary>
    private static bool TrySsn(in DigitRun run, int g, out int start, out int end)
    {
        ReadOnlySpan<byte> s = run.Text;
        start = run.Start(g);
        end = run.End(g);
        int length = run.Length(g);
        if (length == 9)
        {
            return run.SeparatorBefore(g) == 0 && run.SeparatorAfter(g) == 0 && IsIsolated(s, start, end)
                && IsValidSsn(s, start, start + 3, start + 5) && HasSsnLabel(s, start);
        }

        if (length != 3 || g + 2 >= run.Groups)
        {
            return false;
        }

        byte separator = run.SeparatorAfter(g);
        if (separator is not ((byte)'-' or (byte)' ') || run.Length(g + 1) != 2 || run.Length(g + 2) != 4
            || run.SeparatorBefore(g + 2) != separator || run.SeparatorBefore(g) == separator
            || run.SeparatorAfter(g + 2) == separator)
        {
            return false;
        }

        end = run.End(g + 2);
        return IsIsolated(s, start, end) && IsValidSsn(s, start, run.Start(g + 1), run.Start(g + 2));
    }

    private static bool IsValidSsn(ReadOnlySpan<byte> s, int area, int group, int serial)
    {
        int a = ((s[area] - '0') * 100) + ((s[area + 1] - '0') * 10) + (s[area + 2] - '0');
        int g = ((s[group] - '0') * 10) + (s[group + 1] - '0');
        int n = ((s[serial] - '0') * 1000) + ((s[serial + 1] - '0') * 100) + ((s[serial + 2] - '0') * 10) + (s[serial + 3] - '0');
        return a is > 0 and < 900 and not 666 && g > 0 && n > 0;
    }

    private static bool HasSsnLabel(ReadOnlySpan<byte> s, int numberStart)
    {
        int from = Math.Max(0, numberStart - 32);
        for (int k = numberStart - 3; k >= from; k--)
        {
            if (Lower(s[k]) != 's' || (k > 0 && IsLetter(s[k - 1])))
            {
                continue;
            }

            if (Lower(s[k + 1]) == 's' && Lower(s[k + 2]) == 'n')
            {
                return true;
            }

            if (k + 6 <= numberStart && Ascii.EqualsIgnoreCase(s.Slice(k, 6), "social"u8))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// North American numbers written with separators: <c>NPA-NXX-XXXX</c>, <c>NPA.NXX.XXXX</c>, <c>NPA NXX XXXX</c>,
    /// and with a leading <c>1</c> (<c>1-800-555-0199</c>), one kind of separator throughout; N is 2-9 and the area
    /// code is not a service code (N11). The parenthesised and <c>+1</c> forms have their own anchors.
    /// Refused: ten bare digits (an id as often as a phone), dates (4-2-2), IP addresses and version numbers (no 3-3-4
    /// grouping), 3-3-4 inside a longer chain or glued to letters.
    /// </summary>
    private static bool TryNanp(in DigitRun run, int g, out int start, out int end)
    {
        ReadOnlySpan<byte> s = run.Text;
        start = run.Start(g);
        end = start;
        int npa = g;
        if (run.Length(g) == 1 && s[start] == '1')
        {
            npa = g + 1;
        }
        else if (run.Length(g) != 3)
        {
            return false;
        }

        byte separator = run.SeparatorAfter(g);
        if (separator == 0 || run.SeparatorBefore(g) == separator || npa + 2 >= run.Groups
            || run.Length(npa) != 3 || run.Length(npa + 1) != 3 || run.Length(npa + 2) != 4
            || run.SeparatorBefore(npa + 1) != separator || run.SeparatorBefore(npa + 2) != separator
            || run.SeparatorAfter(npa + 2) == separator)
        {
            return false;
        }

        end = run.End(npa + 2);
        return IsIsolated(s, start, end) && IsNanp(s, run.Start(npa), run.Start(npa + 1));
    }

    /// <summary>
    /// <c>(NPA) NXX-XXXX</c>, <c>(NPA)NXX-XXXX</c>, <c>(NPA) NXX XXXX</c>, <c>(NPA) NXXXXXX</c>, optionally after
    /// <c>1 </c> or <c>1-</c>: the parentheses make a phone number plain enough to accept any one separator or none.
    /// </summary>
    private static bool TryNanpParenthesized(ReadOnlySpan<byte> s, int p, int floor, out int start, out int end)
    {
        start = p;
        end = p;
        if (p + 12 > s.Length || !IsDigit(s[p + 1]) || !IsDigit(s[p + 2]) || !IsDigit(s[p + 3]) || s[p + 4] != ')'
            || (p > 0 && IsLetterOrDigit(s[p - 1])))
        {
            return false;
        }

        int q = p + 5;
        if (s[q] is (byte)' ' or (byte)'-')
        {
            q++;
        }

        int nxx = q;
        if (q + 3 > s.Length || !IsDigit(s[q]) || !IsDigit(s[q + 1]) || !IsDigit(s[q + 2]))
        {
            return false;
        }

        q += 3;
        byte separator = 0;
        if (q < s.Length && IsGroupSeparator(s[q]))
        {
            separator = s[q];
            q++;
        }

        if (q + 4 > s.Length || !IsDigit(s[q]) || !IsDigit(s[q + 1]) || !IsDigit(s[q + 2]) || !IsDigit(s[q + 3]))
        {
            return false;
        }

        // Refuse a longer chain (555-2671-99, 555.2671.5); a number after a space is just the next word.
        end = q + 4;
        if (IsLetterOrDigitAfter(s, end)
            || (end + 1 < s.Length && IsDigit(s[end + 1]) && (s[end] is (byte)'-' or (byte)'.' || (s[end] == ' ' && separator == ' ')))
            || !IsNanp(s, p + 1, nxx))
        {
            return false;
        }

        if (p >= 2 && s[p - 1] is (byte)' ' or (byte)'-' && s[p - 2] == '1' && p - 2 >= floor && !IsLetterOrDigitBefore(s, p - 2))
        {
            start = p - 2;
        }

        return true;
    }

    private static bool IsNanp(ReadOnlySpan<byte> s, int npa, int nxx)
        => s[npa] is >= (byte)'2' and <= (byte)'9' && !(s[npa + 1] == '1' && s[npa + 2] == '1')
            && s[nxx] is >= (byte)'2' and <= (byte)'9';

    /// <summary>
    /// International numbers in E.164 form: <c>+</c>, a country code not starting with 0, and 8-15 digits in all,
    /// written together or in groups joined by one space, dash or dot each, with at most one parenthesised group
    /// (<c>+1 (415) 555-2671</c>, <c>+44 (0)20 7946 0958</c>, where the trunk <c>(0)</c> is not counted).
    /// Without any separator at least 10 digits are required, so that a signed count (<c>+12345678</c>) is not a
    /// phone. <c>+1</c> numbers must have exactly 11 digits and a valid NANP area code and exchange.
    /// Refused: a <c>+</c> glued to a letter or digit (<c>1e+10</c>, <c>a+b</c>, <c>2+2</c>), time-zone offsets
    /// (<c>+05:30</c>, <c>+0000</c>, too short or starting with 0), decimals (<c>+1234567890.5</c>), a date shape
    /// (<c>+2024-01-15</c>), and more than 15 digits. Numbers written with <c>00</c> instead of <c>+</c> or in a
    /// national format (<c>020 7946 0958</c>) are not recognised.
    /// </summary>
    private static bool TryE164(ReadOnlySpan<byte> s, int p, out int end)
    {
        end = p;
        if ((p > 0 && IsLetterOrDigit(s[p - 1])) || p + 1 >= s.Length || (uint)(s[p + 1] - '1') > 8)
        {
            return false;
        }

        int q = p + 1;
        int digits = 0;
        int separators = 0;
        int dots = 0;
        int groups = 0;
        int firstLength = 0;
        int secondLength = 0;
        int thirdLength = 0;
        bool parenthesized = false;
        while (true)
        {
            int groupStart = q;
            q = SkipDigits(s, q);
            int length = q - groupStart;
            digits += length;
            if (digits > 15)
            {
                return false;
            }

            end = q;
            groups++;
            RecordGroupLength(groups, length, ref firstLength, ref secondLength, ref thirdLength);

            // What joins the next group: one separator, a parenthesised group, or a separator and then one.
            int r = q;
            if (r + 1 < s.Length && IsGroupSeparator(s[r]) && (IsDigit(s[r + 1]) || s[r + 1] == '('))
            {
                r++;
            }
            else if (r >= s.Length || s[r] != '(')
            {
                break;
            }

            if (s[r] == '(')
            {
                int inner = r + 1;
                int innerEnd = SkipDigits(s, inner);
                int innerLength = innerEnd - inner;
                int after = innerEnd + 1;
                if (after < s.Length && s[after] is (byte)' ' or (byte)'-')
                {
                    after++;
                }

                if (parenthesized || innerLength is 0 or > 4 || innerEnd >= s.Length || s[innerEnd] != ')'
                    || after >= s.Length || !IsDigit(s[after]))
                {
                    break;
                }

                parenthesized = true;
                separators++;

                // "(0)" is the trunk prefix some countries print after the country code; it is not dialled from abroad.
                if (!(innerLength == 1 && s[inner] == '0'))
                {
                    digits += innerLength;
                    groups++;
                    RecordGroupLength(groups, innerLength, ref firstLength, ref secondLength, ref thirdLength);
                }

                q = after;
                continue;
            }

            separators++;
            dots += s[q] == '.' ? 1 : 0;
            q = r;
        }

        // One dot and no other separator is a signed decimal number (+1234567890.5), not a dotted phone number.
        if (digits < (separators == 0 ? 10 : 8) || IsLetterOrDigitAfter(s, end) || IsDecimalPointAfter(s, end)
            || (separators == 1 && dots == 1)
            || (groups == 3 && firstLength == 4 && secondLength == 2 && thirdLength == 2))
        {
            return false;
        }

        if (s[p + 1] != '1')
        {
            return true;
        }

        // +1: the NANP. The digits after the country code are NPA NXX XXXX.
        if (digits != 11)
        {
            return false;
        }

        int npa = NthDigit(s, p + 1, 1);
        int nxx = NthDigit(s, p + 1, 4);
        return s[npa] is >= (byte)'2' and <= (byte)'9' && !(s[NthDigit(s, p + 1, 2)] == '1' && s[NthDigit(s, p + 1, 3)] == '1')
            && s[nxx] is >= (byte)'2' and <= (byte)'9';
    }

    private static void RecordGroupLength(int group, int length, ref int first, ref int second, ref int third)
    {
        if (group == 1)
        {
            first = length;
        }
        else if (group == 2)
        {
            second = length;
        }
        else if (group == 3)
        {
            third = length;
        }
    }

    /// <summary>The position of the digit with index <paramref name="n"/> (0-based) counting from <paramref name="from"/>.</summary>
    private static int NthDigit(ReadOnlySpan<byte> s, int from, int n)
    {
        for (int k = from; ; k++)
        {
            if (IsDigit(s[k]) && n-- == 0)
            {
                return k;
            }
        }
    }

    /// <summary>
    /// IBANs: a country code (either case), two check digits and the BBAN, written together or in groups of four
    /// separated by single spaces (<c>DE89 3704 0044 0532 0130 00</c>), exactly as long as that country's IBANs and
    /// with the ISO 13616 mod-97 remainder 1. The table holds the SEPA countries and the other registered ones we
    /// expect (see <see cref="CreateIbanLengths"/>).
    /// Refused: unknown countries, wrong lengths, irregular spacing, a failing check, an IBAN glued to letters or
    /// digits on either side. Check digits make a random false positive about 1 in 97 per well-formed candidate, and
    /// candidates are rare (two letters then digits, at the exact length).
    /// </summary>
    private static bool TryIban(ReadOnlySpan<byte> s, int p, int floor, out int start, out int end)
    {
        start = p - 2;
        end = p;
        byte c0 = s[start];
        byte c1 = s[start + 1];
        if (start < floor || !IsLetter(c0) || IsLetterOrDigitBefore(s, start) || p + 1 >= s.Length || !IsDigit(s[p + 1]))
        {
            return false;
        }

        int expected = IbanLengths[((Lower(c0) - 'a') * 26) + (Lower(c1) - 'a')];
        if (expected == 0)
        {
            return false;
        }

        bool spaced = p + 2 < s.Length && s[p + 2] == ' ';
        int remainder = 0;
        int q = p + 2;
        for (int count = 4; count < expected; count++)
        {
            if (spaced && (count & 3) == 0)
            {
                if (q >= s.Length || s[q] != ' ')
                {
                    return false;
                }

                q++;
            }

            if (q >= s.Length || !IsLetterOrDigit(s[q]))
            {
                return false;
            }

            remainder = Mod97(remainder, s[q]);
            q++;
        }

        if (IsLetterOrDigitAfter(s, q))
        {
            return false;
        }

        // The check moves the country code and check digits to the end.
        remainder = Mod97(Mod97(Mod97(Mod97(remainder, c0), c1), s[p]), s[p + 1]);
        end = q;
        return remainder == 1;
    }

    /// <summary>Appends one IBAN character to a running mod-97 remainder (a letter counts as 10-35, two digits).</summary>
    private static int Mod97(int remainder, byte b)
        => IsDigit(b) ? ((remainder * 10) + (b - '0')) % 97 : ((remainder * 100) + (Lower(b) - 'a' + 10)) % 97;

    /// <summary>
    /// The SWIFT IBAN registry's lengths for the countries we recognise (every SEPA country, the rest of Europe and the
    /// Middle East, Brazil, and the smaller registered countries). Newer registrations are not in it and are refused.
    /// </summary>
    private static byte[] CreateIbanLengths()
    {
        const string Registry =
            "AD24 AE23 AL28 AT20 AZ28 BA20 BE16 BG22 BH22 BR29 BY28 CH21 CR22 CY28 CZ24 DE22 DK18 DO28 EE20 EG29 ES24 " +
            "FI18 FO18 FR27 GB22 GE22 GI23 GL18 GR27 GT28 HR21 HU28 IE22 IL23 IQ23 IS26 IT27 JO30 KW30 KZ20 LB28 LC32 " +
            "LI21 LT20 LU20 LV21 MC27 MD24 ME22 MK19 MR27 MT31 MU30 NL18 NO15 PK24 PL28 PS29 PT25 QA29 RO24 RS22 SA24 " +
            "SC31 SE24 SI19 SK24 SM27 ST25 SV28 TL23 TN24 TR26 UA29 VA22 VG24 XK20";
        byte[] lengths = new byte[26 * 26];
        foreach (string entry in Registry.Split(' '))
        {
            lengths[((entry[0] - 'A') * 26) + (entry[1] - 'A')] = byte.Parse(entry.AsSpan(2), provider: null);
        }

        return lengths;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int SkipDigits(ReadOnlySpan<byte> s, int q)
    {
        while ((uint)q < (uint)s.Length && IsDigit(s[q]))
        {
            q++;
        }

        return q;
    }

    private static bool IsLetterOrDigitBefore(ReadOnlySpan<byte> s, int start) => start > 0 && IsLetterOrDigit(s[start - 1]);

    private static bool IsLetterOrDigitAfter(ReadOnlySpan<byte> s, int end) => (uint)end < (uint)s.Length && IsLetterOrDigit(s[end]);

    private static bool IsDecimalPointBefore(ReadOnlySpan<byte> s, int start) => start >= 2 && s[start - 1] == '.' && IsDigit(s[start - 2]);

    private static bool IsDecimalPointAfter(ReadOnlySpan<byte> s, int end) => end + 1 < s.Length && s[end] == '.' && IsDigit(s[end + 1]);

    /// <summary>Not glued to a letter or digit, and not either side of a decimal point.</summary>
    private static bool IsIsolated(ReadOnlySpan<byte> s, int start, int end)
        => !IsLetterOrDigitBefore(s, start) && !IsLetterOrDigitAfter(s, end)
            && !IsDecimalPointBefore(s, start) && !IsDecimalPointAfter(s, end);

    /// <summary>The digit groups of one run: their bounds, and the separators that join them to their neighbours.</summary>
    private readonly ref struct DigitRun(ReadOnlySpan<byte> text, ReadOnlySpan<int> bounds)
    {
        private readonly ReadOnlySpan<int> _bounds = bounds;

        public ReadOnlySpan<byte> Text { get; } = text;

        public int Groups => _bounds.Length / 2;

        public int Start(int g) => _bounds[2 * g];

        public int End(int g) => _bounds[(2 * g) + 1];

        public int Length(int g) => End(g) - Start(g);

        /// <summary>The separator joining group <paramref name="g"/> to a digit group before it, even one before this
        /// run (when the run was cut or scanning resumed after a match), or 0.</summary>
        public byte SeparatorBefore(int g)
        {
            int at = Start(g) - 1;
            if (g > 0)
            {
                return Text[at];
            }

            return at >= 1 && IsGroupSeparator(Text[at]) && IsDigit(Text[at - 1]) ? Text[at] : (byte)0;
        }

        /// <summary>The length of the group before <paramref name="g"/>; meaningful when <see cref="SeparatorBefore"/> is not 0.</summary>
        public int LengthBefore(int g)
        {
            if (g > 0)
            {
                return Length(g - 1);
            }

            int k = Start(0) - 2;
            int count = 0;
            while (k >= 0 && IsDigit(Text[k]))
            {
                k--;
                count++;
            }

            return count;
        }

        /// <summary>The separator joining group <paramref name="g"/> to a digit group after it, or 0.</summary>
        public byte SeparatorAfter(int g)
        {
            int at = End(g);
            if (g + 1 < Groups)
            {
                return Text[at];
            }

            return at + 1 < Text.Length && IsGroupSeparator(Text[at]) && IsDigit(Text[at + 1]) ? Text[at] : (byte)0;
        }

        /// <summary>The length of the group after <paramref name="g"/>; meaningful when <see cref="SeparatorAfter"/> is not 0.</summary>
        public int LengthAfter(int g) => g + 1 < Groups ? Length(g + 1) : SkipDigits(Text, End(g) + 1) - End(g) - 1;
    }
}
