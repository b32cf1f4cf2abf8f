using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using System.Text.RegularExpressions;
using static Gateway.Core.Masking.ScanChars;

namespace Gateway.Core.Masking;

/// <summary>
/// Finds sensitive values by their content in the UTF-8 text of one value (a column, an error field, a COPY field),
/// so that they can be masked even when the column they came from is unknown (<c>email || ''</c>, <c>json_agg(t)</c>,
/// error details). Built once per policy and shared: it holds no per-call state, allocates nothing per call for the
/// built-in detectors, and is safe to use from any number of threads.
/// </summary>
/// <remarks>
/// <para>The built-in detectors avoid <see cref="Regex"/>. One vectorised <see cref="SearchValues{T}"/> pass looks for
/// cheap anchor bytes (digits, <c>@</c>, <c>+</c>, <c>(</c>, <c>-</c>, <c>A</c>, <c>J</c>, <c>=</c>, <c>:</c>),
/// and only an anchor runs a validator, which reads a few bytes around it. A run of digits is read once and then
/// classified as a card, SSN or phone number, so digit-heavy rows cost one pass, not one per detector.</para>
/// <para>Every detector is tuned for few false positives: an anchor without the full shape, check digits and
/// boundaries is ignored. What each recognises and what it refuses is documented on its validator
/// (<c>ContentScanner.Numbers.cs</c>, <c>ContentScanner.Tokens.cs</c>, <c>ContentScanner.Secrets.cs</c>,
/// <c>ContentScanner.Custom.cs</c>).</para>
/// </remarks>
internal sealed partial class ContentScanner
{
    /// <summary>Values up to this length may be classified with vector instructions (<see cref="ScanIndexed"/>).</summary>
    private const int MaxIndexedLength = 16 * 1024;

    public const int EmailDetector = 0;
    public const int PaymentCardDetector = 1;
    public const int UsSsnDetector = 2;
    public const int PhoneDetector = 3;
    public const int IbanDetector = 4;
    public const int AwsAccessKeyIdDetector = 5;
    public const int AwsSecretKeyDetector = 6;
    public const int JwtDetector = 7;
    public const int PemPrivateKeyDetector = 8;
    public const int SecretAssignmentDetector = 9;

    /// <summary>The detector number of custom detector 0; custom detector i is <c>FirstCustomDetector + i</c>.</summary>
    public const int FirstCustomDetector = 10;

    private static readonly string[] BuiltInNames =
    [
        "email", "payment_card", "us_ssn", "phone", "iban", "aws_access_key_id", "aws_secret_key", "jwt",
        "pem_private_key", "secret_assignment",
    ];

    private readonly ContentDetectors _enabled;
    private readonly SearchValues<byte>? _anchors;

    /// <summary>The enabled anchors other than digits, for <see cref="FindCandidates"/>.</summary>
    private readonly byte[] _otherAnchors;

    /// <summary><see cref="_otherAnchors"/> as a nibble table for <see cref="Classify"/>.</summary>
    private readonly byte[] _anchorsByLowNibble;
    private readonly CustomRule[] _custom;

    /// <param name="enabled">The built-in detectors to run.</param>
    /// <param name="custom">Operator-defined detectors, numbered from <see cref="FirstCustomDetector"/> in this order.</param>
    /// <exception cref="ArgumentException">A custom detector has no name or a pattern that does not compile.</exception>
    public ContentScanner(ContentDetectors enabled, IReadOnlyList<CustomDetector> custom)
    {
        ArgumentNullException.ThrowIfNull(custom);
        if ((enabled & ~ContentDetectors.All) != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(enabled), enabled, "unknown content detector flags");
        }

        _enabled = enabled;
        _anchors = CreateAnchors(enabled);
        _otherAnchors = CreateOtherAnchors(enabled);
        _anchorsByLowNibble = AnchorsByLowNibble(_otherAnchors);
        _custom = CompileCustom(custom);
    }

    /// <summary>The built-in detectors this scanner runs.</summary>
    public ContentDetectors Enabled => _enabled;

    /// <summary>The number of custom detectors.</summary>
    public int CustomCount => _custom.Length;

    /// <summary>True when at least one detector runs: text values must then be read.</summary>
    public bool HasDetectors => _enabled != ContentDetectors.None || _custom.Length > 0;

    /// <summary>True when numbers stored in numeric columns are checked (card and SSN detectors).</summary>
    public bool ChecksNumbers => (_enabled & (ContentDetectors.PaymentCard | ContentDetectors.UsSsn)) != 0;

    /// <summary>Detector numbers run from 0 to this count (built-in ones first, then the custom ones).</summary>
    public int DetectorCount => FirstCustomDetector + _custom.Length;

    /// <summary>
    /// The name of a built-in detector (<c>"email"</c>, <c>"payment_card"</c>, …). A static method cannot know this
    /// scanner's custom names: for a custom detector number it returns <c>"custom"</c>; use
    /// <see cref="DetectorName"/> to get the operator's name.
    /// </summary>
    public static string NameOf(int detector)
        => (uint)detector < (uint)BuiltInNames.Length ? BuiltInNames[detector]
            : detector >= FirstCustomDetector ? "custom"
            : throw new ArgumentOutOfRangeException(nameof(detector), detector, "not a detector number");

    /// <summary>The name of any detector of this scanner, the operator's name for a custom one.</summary>
    public string DetectorName(int detector)
        => detector >= FirstCustomDetector && detector - FirstCustomDetector < _custom.Length
            ? _custom[detector - FirstCustomDetector].Name
            : NameOf(detector);

    /// <summary>
    /// Finds the sensitive values in <paramref name="utf8"/>, left to right and not overlapping, and writes up to
    /// <c>matches.Length</c> of them.
    /// </summary>
    /// <returns>
    /// The number of matches; or <c>matches.Length + 1</c> when more exist than fit, or when a custom detector timed
    /// out, so that the caller masks the whole value (failing closed).
    /// </returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int Scan(ReadOnlySpan<byte> utf8, Span<DetectorMatch> matches) => Scan(utf8, matches, ScanPass.Auto);

    /// <summary>
    /// <see cref="Scan(ReadOnlySpan{byte}, Span{DetectorMatch})"/> with the built-in detectors' pass chosen by the
    /// caller: tests check that both passes find the same matches in any text.
    /// </summary>
    internal int Scan(ReadOnlySpan<byte> utf8, Span<DetectorMatch> matches, ScanPass pass)
    {
        var sink = new MatchSink(matches);
        if (_anchors is not null)
        {
            switch (pass)
            {
                case ScanPass.Sequential:
                    ScanBuiltInSequential(utf8, ref sink);
                    break;
                case ScanPass.Indexed when utf8.Length <= MaxIndexedLength && Vector128.IsHardwareAccelerated:
                    ScanIndexed(utf8, 0, ref sink);
                    break;
                default:
                    ScanBuiltIn(utf8, ref sink);
                    break;
            }
        }

        if (!sink.Overflowed && sink.SawAccessKeyId && (_enabled & ContentDetectors.AwsSecretKey) != 0)
        {
            ScanSecretKeysNearKeyId(utf8, ref sink);
        }

        if (!sink.Overflowed && _custom.Length != 0 && !utf8.IsEmpty)
        {
            ScanCustom(utf8, ref sink);
        }

        return sink.Overflowed ? matches.Length + 1 : sink.Count;
    }

    /// <summary>
    /// Whether an integer or numeric column value, written as ASCII digits with an optional sign, is a payment card
    /// number (13-19 digits, a known issuer prefix and length, Luhn) or a US SSN (exactly 9 digits in valid ranges),
    /// for the detectors that are enabled. A numeric scale of zeros (<c>4111111111111111.00</c>) is accepted; a sign
    /// is ignored, since a negated card number still discloses it.
    /// </summary>
    /// <remarks>
    /// A number has no context, so every 9-digit integer in a valid SSN range is reported (about 89% of them); call
    /// this only for columns a policy says may hold such numbers. SSNs with an area below 100 lose their leading zeros
    /// in an integer column and are not recognised.
    /// </remarks>
    public bool IsSensitiveNumber(ReadOnlySpan<byte> asciiDigits, out int detector)
    {
        detector = -1;
        ReadOnlySpan<byte> digits = asciiDigits;
        if (!digits.IsEmpty && digits[0] is (byte)'+' or (byte)'-')
        {
            digits = digits.Slice(1);
        }

        int dot = digits.IndexOf((byte)'.');
        if (dot >= 0)
        {
            if (digits.Slice(dot + 1).ContainsAnyExcept((byte)'0'))
            {
                return false;
            }

            digits = digits.Slice(0, dot);
        }

        if (digits.IsEmpty || digits.ContainsAnyExceptInRange((byte)'0', (byte)'9'))
        {
            return false;
        }

        if ((_enabled & ContentDetectors.PaymentCard) != 0 && digits.Length is >= 13 and <= 19
            && IsCardNumber(digits, 0, digits.Length, digits.Length))
        {
            detector = PaymentCardDetector;
            return true;
        }

        if ((_enabled & ContentDetectors.UsSsn) != 0 && digits.Length == 9 && IsValidSsn(digits, 0, 3, 5))
        {
            detector = UsSsnDetector;
            return true;
        }

        return false;
    }

    private static byte[] CreateOtherAnchors(ContentDetectors enabled)
        => CreateAnchors(enabled) is null ? [] : [.. AnchorBytes(enabled).Where(b => !IsDigit(b))];

    private static SearchValues<byte>? CreateAnchors(ContentDetectors enabled)
    {
        List<byte> anchors = AnchorBytes(enabled);
        return anchors.Count == 0 ? null : SearchValues.Create(anchors.ToArray());
    }

    private static List<byte> AnchorBytes(ContentDetectors enabled)
    {
        var anchors = new List<byte>();
        if ((enabled & (ContentDetectors.PaymentCard | ContentDetectors.UsSsn | ContentDetectors.Phone | ContentDetectors.Iban)) != 0)
        {
            anchors.AddRange("0123456789"u8);
        }

        if ((enabled & ContentDetectors.Email) != 0)
        {
            anchors.Add((byte)'@');
        }

        if ((enabled & ContentDetectors.Phone) != 0)
        {
            anchors.AddRange("+("u8);
        }

        if ((enabled & ContentDetectors.PemPrivateKey) != 0)
        {
            anchors.Add((byte)'-');
        }

        // A secret key is recognised next to a key id, so the key id is looked for even when it is not masked itself.
        if ((enabled & (ContentDetectors.AwsAccessKeyId | ContentDetectors.AwsSecretKey)) != 0)
        {
            anchors.Add((byte)'A');
        }

        if ((enabled & ContentDetectors.Jwt) != 0)
        {
            anchors.Add((byte)'J');
        }

        if ((enabled & (ContentDetectors.SecretAssignment | ContentDetectors.AwsSecretKey)) != 0)
        {
            anchors.AddRange("=:"u8);
        }

        return anchors;
    }

    /// <summary>
    /// The single pass: jump to the next anchor byte, run the validator it selects, and on a match continue after
    /// it (matches never overlap); otherwise continue after the anchor, or after the whole digit run it started.
    /// A value of <see cref="MinIndexedLength"/> to <see cref="MaxIndexedLength"/> bytes is first classified 64 bytes
    /// at a time (<see cref="ScanIndexed"/>), which visits only the anchors that can start a match: that pays off
    /// where anchors are dense (hex ids and hashes hold a digit run every few bytes) and costs a few nanoseconds per
    /// value where they are sparse. Shorter values, where the classification costs more than it saves, and longer
    /// ones are searched anchor by anchor.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void ScanBuiltIn(ReadOnlySpan<byte> s, ref MatchSink sink)
    {
        if (s.Length >= MinIndexedLength && s.Length <= MaxIndexedLength && Vector128.IsHardwareAccelerated)
        {
            ScanIndexed(s, 0, ref sink);
            return;
        }

        ScanBuiltInSequential(s, ref sink);
    }

    /// <summary>Values shorter than this are searched anchor by anchor.</summary>
    private const int MinIndexedLength = 16;

    /// <summary>
    /// From <paramref name="pos"/> on, visits only the positions <see cref="FindCandidates"/> marks, which leaves out
    /// digits inside a run and digit runs glued to a letter on their left: the sequential pass would judge each of
    /// those "no match, resume after the run".
    /// </summary>
    private void ScanIndexed(ReadOnlySpan<byte> s, int pos, ref MatchSink sink)
    {
        Span<ulong> candidates = stackalloc ulong[(s.Length + 63) >> 6];
        FindCandidates(s, candidates);
        while ((uint)pos < (uint)s.Length)
        {
            int i = NextCandidate(candidates, pos);
            if (i < 0)
            {
                return;
            }

            if (IsDigit(s[i]))
            {
                // A digit run glued to a letter on its right ends any chain it is in and is no card, SSN or phone
                // number; unless two letters precede it (an IBAN's country code, whose BBAN may go on in letters),
                // nothing can match from here, and the sequential pass would resume after the run. Hex ids and
                // hashes are full of these.
                if (i == 0 || !IsLetter(s[i - 1]))
                {
                    int runEnd = SkipDigits(s, i);
                    if (runEnd < s.Length && IsLetter(s[runEnd]))
                    {
                        pos = runEnd;
                        continue;
                    }
                }

                // A group after a separator may continue a number whose first group was left out (glued to a letter):
                // judge the whole chain from there, as the sequential pass does.
                i = ChainStart(s, i, pos);
            }

            if (!Visit(s, i, ref sink, out pos))
            {
                return;
            }
        }
    }

    /// <summary>The anchor-by-anchor pass.</summary>
    private void ScanBuiltInSequential(ReadOnlySpan<byte> s, ref MatchSink sink)
    {
        SearchValues<byte> anchors = _anchors!;
        int pos = 0;
        while ((uint)pos < (uint)s.Length)
        {
            int offset = s.Slice(pos).IndexOfAny(anchors);
            if (offset < 0 || !Visit(s, pos + offset, ref sink, out pos))
            {
                return;
            }
        }
    }

    /// <summary>
    /// Runs the validator the anchor at <paramref name="i"/> selects and records a match. <paramref name="next"/> is
    /// where the search resumes. Returns false when the match buffer is full.
    /// </summary>
    private bool Visit(ReadOnlySpan<byte> s, int i, ref MatchSink sink, out int next)
    {
        ContentDetectors on = _enabled;
        next = i + 1;
        int start = i;
        int end = 0;
        int detector = -1;
        switch (s[i])
        {
            case (byte)'@':
                if (TryEmail(s, i, sink.End, out start, out end))
                {
                    detector = EmailDetector;
                }

                break;
            case (byte)'+':
                if (TryE164(s, i, out end))
                {
                    detector = PhoneDetector;
                }

                break;
            case (byte)'(':
                if (TryNanpParenthesized(s, i, sink.End, out start, out end))
                {
                    detector = PhoneDetector;
                }

                break;
            case (byte)'-':
                if (TryPemPrivateKey(s, i, out end))
                {
                    detector = PemPrivateKeyDetector;
                }

                break;
            case (byte)'A':
                if (TryAwsAccessKeyId(s, i, out end))
                {
                    sink.SawAccessKeyId = true;
                    if ((on & ContentDetectors.AwsAccessKeyId) != 0)
                    {
                        detector = AwsAccessKeyIdDetector;
                    }
                    else
                    {
                        next = end;
                    }
                }

                break;
            case (byte)'J':
                if (TryJwt(s, i, sink.End, out start, out end))
                {
                    detector = JwtDetector;
                }

                break;
            case (byte)'=' or (byte)':':
                detector = TryAssignment(s, i, on, out start, out end);
                break;
            default:
                detector = ScanDigits(s, i, sink.End, on, out start, out end, out next);
                break;
        }

        if (detector >= 0)
        {
            if (!sink.Add(start, end, detector))
            {
                return false;
            }

            next = end;
        }

        return true;
    }

    /// <summary>
    /// Marks, one bit per byte, where <see cref="ScanBuiltIn"/> must look: every anchor other than a digit, and the
    /// digits that start a run not glued to a letter or digit on their left, or that follow exactly two letters (an
    /// IBAN's country code). Every digit left out would be judged "no match, resume after the run" by
    /// <c>ScanDigits</c>; a run glued on its left that continues through separators into more groups is reached from
    /// its next group (<see cref="ChainStart"/>).
    /// </summary>
    private void FindCandidates(ReadOnlySpan<byte> s, Span<ulong> words)
    {
        bool numbers = (_enabled & (ContentDetectors.PaymentCard | ContentDetectors.UsSsn | ContentDetectors.Phone | ContentDetectors.Iban)) != 0;
        bool iban = (_enabled & ContentDetectors.Iban) != 0;
        if (Avx512BW.IsSupported)
        {
            FindCandidates512(s, words, numbers, iban);
            return;
        }

        Span<byte> tail = stackalloc byte[64];
        ulong previousDigits = 0;
        ulong previousLetters = 0;
        for (int w = 0; w < words.Length; w++)
        {
            int offset = w << 6;
            scoped ReadOnlySpan<byte> block;
            if (s.Length - offset >= 64)
            {
                block = s.Slice(offset, 64);
            }
            else
            {
                // Zero bytes are neither letters, digits nor anchors.
                tail.Clear();
                s.Slice(offset).CopyTo(tail);
                block = tail;
            }

            Classify(block, out ulong digits, out ulong letters, out ulong found);
            words[w] = Mark(digits, letters, found, ref previousDigits, ref previousLetters, numbers, iban);
        }
    }

    /// <summary>
    /// <see cref="FindCandidates"/> with AVX-512: the class tables stay in registers, and the last partial block is
    /// read with a masked load (the bytes past the value read as zero and cannot fault) instead of being copied out.
    /// </summary>
    private unsafe void FindCandidates512(ReadOnlySpan<byte> s, Span<ulong> words, bool numbers, bool iban)
    {
        Vector512<byte> nibble = Vector512.Create((byte)0x0F);
        Vector512<byte> highBits = Vector512.Create(HighBits);
        Vector512<byte> digitTable = Vector512.Create(DigitsByLowNibble);
        Vector512<byte> letterTable = Vector512.Create(LettersByLowNibble);
        Vector512<byte> anchorTable = Vector512.Create(_anchorsByLowNibble);
        ulong previousDigits = 0;
        ulong previousLetters = 0;
        fixed (byte* start = s)
        {
            for (int w = 0; w < words.Length; w++)
            {
                int offset = w << 6;
                int rest = s.Length - offset;
                Vector512<byte> v = rest >= 64
                    ? Vector512.Load(start + offset)
                    : Avx512BW.MaskLoad(start + offset, Vector512.LessThan(Vector512<byte>.Indices, Vector512.Create((byte)rest)), Vector512<byte>.Zero);

                // Two table lookups per class (vpshufb on the low and the high nibble) instead of a compare per anchor.
                Vector512<byte> low = v & nibble;
                Vector512<byte> high = Avx512BW.Shuffle(highBits, Vector512.ShiftRightLogical(v.AsUInt16(), 4).AsByte() & nibble);
                ulong digits = Vector512.GreaterThan(Avx512BW.Shuffle(digitTable, low) & high, Vector512<byte>.Zero).ExtractMostSignificantBits();
                ulong letters = Vector512.GreaterThan(Avx512BW.Shuffle(letterTable, low) & high, Vector512<byte>.Zero).ExtractMostSignificantBits();
                ulong found = Vector512.GreaterThan(Avx512BW.Shuffle(anchorTable, low) & high, Vector512<byte>.Zero).ExtractMostSignificantBits();
                words[w] = Mark(digits, letters, found, ref previousDigits, ref previousLetters, numbers, iban);
            }
        }
    }

    /// <summary>One block's candidates: its non-digit anchors plus the digit run starts described on <see cref="FindCandidates"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Mark(ulong digits, ulong letters, ulong found, ref ulong previousDigits, ref ulong previousLetters, bool numbers, bool iban)
    {
        if (numbers)
        {
            ulong alnum = digits | letters;
            ulong previousAlnum = previousDigits | previousLetters;
            ulong digitBefore = (digits << 1) | (previousDigits >> 63);
            ulong alnumBefore = (alnum << 1) | (previousAlnum >> 63);
            ulong runStarts = digits & ~digitBefore;
            found |= runStarts & ~alnumBefore;
            if (iban)
            {
                ulong letterBefore = (letters << 1) | (previousLetters >> 63);
                ulong letterTwoBefore = (letters << 2) | (previousLetters >> 62);
                ulong alnumThreeBefore = (alnum << 3) | (previousAlnum >> 61);
                found |= runStarts & letterBefore & letterTwoBefore & ~alnumThreeBefore;
            }
        }

        previousDigits = digits;
        previousLetters = letters;
        return found;
    }

    /// <summary>
    /// Class tables indexed by a byte's low nibble, each repeated 4 times (one copy per 128-bit lane): bit h is set when
    /// the byte with high nibble h and this low nibble is in the class. <see cref="HighBits"/> maps a high nibble h to
    /// <c>1 &lt;&lt; h</c> (0 from 8 up, so no byte above 0x7F is in any class).
    /// </summary>
    private static readonly byte[] HighBits = Repeat(h => h < 8 ? (byte)(1 << h) : (byte)0);

    private static readonly byte[] DigitsByLowNibble = Repeat(low => low <= 9 ? (byte)(1 << 3) : (byte)0);

    // 0x41-0x4F and 0x61-0x6F (high nibbles 4 and 6, low 1-F); 0x50-0x5A and 0x70-0x7A (high nibbles 5 and 7, low 0-A).
    private static readonly byte[] LettersByLowNibble = Repeat(low => (byte)((low >= 1 ? (1 << 4) | (1 << 6) : 0) | (low <= 10 ? (1 << 5) | (1 << 7) : 0)));

    private static byte[] Repeat(Func<int, byte> entry)
    {
        byte[] table = new byte[64];
        for (int i = 0; i < table.Length; i++)
        {
            table[i] = entry(i & 15);
        }

        return table;
    }

    private static byte[] AnchorsByLowNibble(ReadOnlySpan<byte> others)
    {
        byte[] table = new byte[64];
        foreach (byte anchor in others)
        {
            for (int lane = 0; lane < 64; lane += 16)
            {
                table[lane + (anchor & 15)] |= (byte)(1 << (anchor >> 4));
            }
        }

        return table;
    }

    /// <summary>Bit masks of the digits, ASCII letters and non-digit anchors of 64 bytes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Classify(ReadOnlySpan<byte> block, out ulong digits, out ulong letters, out ulong anchors)
    {
        if (Avx2.IsSupported)
        {
            digits = 0;
            letters = 0;
            anchors = 0;
            Vector256<byte> nibble = Vector256.Create((byte)0x0F);
            Vector256<byte> highBits = Vector256.Create(HighBits.AsSpan(0, 32));
            Vector256<byte> digitTable = Vector256.Create(DigitsByLowNibble.AsSpan(0, 32));
            Vector256<byte> letterTable = Vector256.Create(LettersByLowNibble.AsSpan(0, 32));
            Vector256<byte> anchorTable = Vector256.Create(_anchorsByLowNibble.AsSpan(0, 32));
            for (int k = 0; k < 2; k++)
            {
                Vector256<byte> v = Vector256.Create(block.Slice(k * 32, 32));
                Vector256<byte> low = v & nibble;
                Vector256<byte> high = Avx2.Shuffle(highBits, Vector256.ShiftRightLogical(v.AsUInt16(), 4).AsByte() & nibble);
                int shift = k * 32;
                digits |= (ulong)Vector256.GreaterThan(Avx2.Shuffle(digitTable, low) & high, Vector256<byte>.Zero).ExtractMostSignificantBits() << shift;
                letters |= (ulong)Vector256.GreaterThan(Avx2.Shuffle(letterTable, low) & high, Vector256<byte>.Zero).ExtractMostSignificantBits() << shift;
                anchors |= (ulong)Vector256.GreaterThan(Avx2.Shuffle(anchorTable, low) & high, Vector256<byte>.Zero).ExtractMostSignificantBits() << shift;
            }

            return;
        }

        digits = 0;
        letters = 0;
        anchors = 0;
        ReadOnlySpan<byte> others = _otherAnchors;
        for (int k = 0; k < 4; k++)
        {
            Vector128<byte> v = Vector128.Create(block.Slice(k * 16, 16));
            Vector128<byte> anchor = Vector128<byte>.Zero;
            foreach (byte other in others)
            {
                anchor |= Vector128.Equals(v, Vector128.Create(other));
            }

            int shift = k * 16;
            digits |= (ulong)Vector128.LessThanOrEqual(v - Vector128.Create((byte)'0'), Vector128.Create((byte)9)).ExtractMostSignificantBits() << shift;
            letters |= (ulong)Vector128.LessThanOrEqual((v | Vector128.Create((byte)0x20)) - Vector128.Create((byte)'a'), Vector128.Create((byte)('z' - 'a'))).ExtractMostSignificantBits() << shift;
            anchors |= (ulong)anchor.ExtractMostSignificantBits() << shift;
        }
    }

    /// <summary>The first marked position at or after <paramref name="pos"/>, or -1.</summary>
    private static int NextCandidate(ReadOnlySpan<ulong> words, int pos)
    {
        int w = pos >> 6;
        if (w >= words.Length)
        {
            return -1;
        }

        ulong bits = words[w] & (ulong.MaxValue << (pos & 63));
        while (bits == 0)
        {
            if (++w == words.Length)
            {
                return -1;
            }

            bits = words[w];
        }

        return (w << 6) + BitOperations.TrailingZeroCount(bits);
    }

    /// <summary>
    /// For the digit group at <paramref name="i"/>: the first group of the chain of single-separator-joined groups it
    /// belongs to, not before <paramref name="floor"/>. The groups before <paramref name="i"/> were left out by
    /// <see cref="FindCandidates"/> (glued to a letter), and the sequential pass would have judged the chain from there.
    /// </summary>
    private static int ChainStart(ReadOnlySpan<byte> s, int i, int floor)
    {
        int start = i;
        while (start >= 2 && IsGroupSeparator(s[start - 1]) && IsDigit(s[start - 2]))
        {
            int group = start - 2;
            while (group > 0 && IsDigit(s[group - 1]))
            {
                group--;
            }

            if (group < floor)
            {
                break;
            }

            start = group;
        }

        return start;
    }

    /// <summary>
    /// The caller's match buffer. Built-in matches arrive in order and are appended; the later passes (secret keys near
    /// a key id, custom detectors) insert theirs, merging any overlap into one range, because a custom pattern that
    /// overlaps a built-in match must still be masked in full.
    /// </summary>
    private ref struct MatchSink(Span<DetectorMatch> matches)
    {
        private readonly Span<DetectorMatch> _matches = matches;

        /// <summary>Matches written so far.</summary>
        public int Count;

        /// <summary>More matches than fit (or a custom detector timed out): the caller must mask everything.</summary>
        public bool Overflowed;

        /// <summary>The end of the last appended match: the next built-in match must start at or after it.</summary>
        public int End;

        /// <summary>An AWS access key id occurred, enabled or not, so the value is searched for its secret key.</summary>
        public bool SawAccessKeyId;

        public bool Add(int start, int end, int detector)
        {
            if (Count == _matches.Length)
            {
                Overflowed = true;
                return false;
            }

            _matches[Count++] = new DetectorMatch(start, end - start, detector);
            End = end;
            return true;
        }

        /// <summary>Inserts a match in order; one that overlaps existing matches is merged with them into one range,
        /// reported under the first existing match's detector.</summary>
        public bool Merge(int start, int end, int detector)
        {
            int first = 0;
            while (first < Count && _matches[first].End <= start)
            {
                first++;
            }

            int last = first;
            int mergedStart = start;
            int mergedEnd = end;
            while (last < Count && _matches[last].Start < end)
            {
                mergedStart = Math.Min(mergedStart, _matches[last].Start);
                mergedEnd = Math.Max(mergedEnd, _matches[last].End);
                last++;
            }

            if (last == first)
            {
                if (Count == _matches.Length)
                {
                    Overflowed = true;
                    return false;
                }

                _matches.Slice(first, Count - first).CopyTo(_matches.Slice(first + 1));
                _matches[first] = new DetectorMatch(start, end - start, detector);
                Count++;
                return true;
            }

            _matches[first] = new DetectorMatch(mergedStart, mergedEnd - mergedStart, _matches[first].Detector);
            int removed = last - first - 1;
            if (removed > 0)
            {
                _matches.Slice(last, Count - last).CopyTo(_matches.Slice(first + 1));
                Count -= removed;
            }

            return true;
        }
    }
}

/// <summary>How the built-in detectors walk a value: chosen by density, or forced (tests).</summary>
internal enum ScanPass
{
    Auto,
    Sequential,
    Indexed,
}
