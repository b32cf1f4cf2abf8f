using System.Buffers.Binary;
using Gateway.Core.Internal;
using Gateway.Core.Protocol.Postgres;

namespace Gateway.Core.Masking;

/// <summary>What became of a value.</summary>
internal enum ValueOutcome : byte
{
    Unchanged,
    Null,
    Rewritten,
}

/// <summary>
/// Applies a column's action to one value: masks it, or runs the content detectors over it — on the text itself,
/// inside jsonb's binary form, and element by element inside binary arrays and records of text — and writes
/// anything that changes into the arena.
/// </summary>
internal sealed class ValueRewriter(ContentScanner scanner, ValueMasker masker, MaskingCatalog catalog)
{
    /// <summary>The catalog record field types are looked up in; the session moves it to a reloaded one.</summary>
    public MaskingCatalog Catalog { get; set; } = catalog;

    /// <summary>Matches found per detector since the last flush.</summary>
    public long[] DetectorCounts { get; } = new long[scanner.DetectorCount];

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    public ValueOutcome Apply(ReadOnlySpan<byte> value, in ColumnAction action, MaskingScratch scratch, out int offset, out int length)
    {
        offset = 0;
        length = 0;
        switch (action.Kind)
        {
            case ColumnActionKind.Mask:
                return masker.Mask(value, action.Style, action.KeepLast, action.Type.Kind, action.Binary, scratch, out offset, out length)
                    ? ValueOutcome.Rewritten
                    : ValueOutcome.Null;
            case ColumnActionKind.CheckNumber:
                return IsSensitiveNumber(value, action.Type, action.Binary) ? ValueOutcome.Null : ValueOutcome.Unchanged;
            case ColumnActionKind.Scan:
                return Scan(value, action.Type, action.Binary, scratch, out offset, out length);
            default:
                return ValueOutcome.Unchanged;
        }
    }

    /// <summary>Runs the detectors over UTF-8 text; true when something was replaced (or everything, past the match limit).</summary>
    public ValueOutcome ScanText(ReadOnlySpan<byte> text, MaskingScratch scratch, out int offset, out int length)
    {
        offset = 0;
        length = 0;
        Span<DetectorMatch> matches = scratch.Matches;
        int found = scanner.Scan(text, matches);
        if (found == 0)
        {
            return ValueOutcome.Unchanged;
        }

        if (found > matches.Length)
        {
            // More sensitive-looking pieces than we track: the whole value goes, fail closed.
            DetectorCounts[0 < DetectorCounts.Length ? matches[0].Detector : 0]++;
            offset = scratch.Append(masker.RedactedText);
            length = masker.RedactedText.Length;
            return ValueOutcome.Rewritten;
        }

        foreach (DetectorMatch match in matches.Slice(0, found))
        {
            DetectorCounts[match.Detector]++;
        }

        masker.ReplaceMatches(text, matches.Slice(0, found), scratch, out offset, out length);
        return ValueOutcome.Rewritten;
    }

    private ValueOutcome Scan(ReadOnlySpan<byte> value, PgTypeInfo type, bool binary, MaskingScratch scratch, out int offset, out int length)
    {
        offset = 0;
        length = 0;
        if (!binary)
        {
            return ScanText(value, scratch, out offset, out length);
        }

        switch (type.Kind)
        {
            case PgTypeKind.Jsonb when value.Length > 0:
            {
                int mark = scratch.Used;
                scratch.Append(value.Slice(0, 1));
                if (ScanText(value.Slice(1), scratch, out _, out _) == ValueOutcome.Unchanged)
                {
                    return ValueOutcome.Unchanged;
                }

                offset = mark;
                length = scratch.Used - mark;
                return ValueOutcome.Rewritten;
            }

            case PgTypeKind.Array:
                return ScanBinaryArray(value, type, scratch, out offset, out length);
            case PgTypeKind.Record:
                return ScanBinaryRecord(value, scratch, out offset, out length);
            case PgTypeKind.Text or PgTypeKind.Json or PgTypeKind.Xml:
                return ScanText(value, scratch, out offset, out length);
            default:
                return ValueOutcome.Unchanged;
        }
    }

    /// <summary>
    /// A binary array: ndim, flags, element type, ndim × (size, lower bound), then each element as length and bytes.
    /// Text elements are scanned; the array is rewritten with new element lengths only if one changed.
    /// </summary>
    private ValueOutcome ScanBinaryArray(ReadOnlySpan<byte> value, PgTypeInfo type, MaskingScratch scratch, out int offset, out int length)
    {
        offset = 0;
        length = 0;
        var reader = new PgReader(value);
        int dimensions = reader.ReadInt32();
        reader.ReadInt32();
        reader.ReadUInt32();
        if (dimensions is < 0 or > 6)
        {
            ThrowHelper.ThrowProtocolViolation($"binary array with {dimensions} dimensions");
        }

        long elements = dimensions == 0 ? 0 : 1;
        for (int i = 0; i < dimensions; i++)
        {
            elements *= Math.Max(0, reader.ReadInt32());
            reader.ReadInt32();
        }

        int headerLength = reader.Position;
        PgTypeInfo element = new(type.Element, default, 0);
        int mark = scratch.Used;
        scratch.Append(value.Slice(0, headerLength));
        bool changed = false;
        for (long i = 0; i < elements; i++)
        {
            int elementLength = reader.ReadInt32();
            if (elementLength < 0)
            {
                scratch.Append(value.Slice(reader.Position - 4, 4));
                continue;
            }

            ReadOnlySpan<byte> item = reader.ReadBytes(elementLength);
            Span<byte> lengthSlot = scratch.Reserve(4, out int slotOffset);
            scratch.Commit(4);
            int before = scratch.Used;
            ValueOutcome outcome = element.Kind == PgTypeKind.Number
                ? (IsSensitiveNumber(item, new PgTypeInfo(PgTypeKind.Number, default, 0), binary: true, type.ElementOid) ? ValueOutcome.Null : ValueOutcome.Unchanged)
                : Scan(item, element, binary: true, scratch, out int itemOffset, out int itemLength);
            int written;
            if (outcome == ValueOutcome.Null)
            {
                written = -1;
                changed = true;
            }
            else if (outcome == ValueOutcome.Rewritten)
            {
                written = scratch.Used - before;
                changed = true;
            }
            else
            {
                scratch.Append(item);
                written = item.Length;
            }

            scratch.WriteInt32At(slotOffset, written);
        }

        reader.VerifyAtEnd();
        if (!changed)
        {
            return ValueOutcome.Unchanged;
        }

        offset = mark;
        length = scratch.Used - mark;
        return ValueOutcome.Rewritten;
    }

    /// <summary>A binary record: field count, then each field as type OID, length and bytes.</summary>
    private ValueOutcome ScanBinaryRecord(ReadOnlySpan<byte> value, MaskingScratch scratch, out int offset, out int length)
    {
        offset = 0;
        length = 0;
        var reader = new PgReader(value);
        int fields = reader.ReadInt32();
        int mark = scratch.Used;
        scratch.Append(value.Slice(0, 4));
        bool changed = false;
        for (int i = 0; i < fields; i++)
        {
            uint typeOid = reader.ReadUInt32();
            int fieldLength = reader.ReadInt32();
            scratch.Append(value.Slice(reader.Position - 8, 4));
            if (fieldLength < 0)
            {
                scratch.Append(value.Slice(reader.Position - 4, 4));
                continue;
            }

            ReadOnlySpan<byte> field = reader.ReadBytes(fieldLength);
            scratch.Reserve(4, out int slotOffset);
            scratch.Commit(4);
            int before = scratch.Used;
            PgTypeInfo fieldType = Catalog.TypeOf(typeOid);
            ValueOutcome outcome = fieldType.Kind == PgTypeKind.Number
                ? (IsSensitiveNumber(field, fieldType, binary: true, typeOid) ? ValueOutcome.Null : ValueOutcome.Unchanged)
                : Scan(field, fieldType, binary: true, scratch, out _, out _);
            int written = outcome switch
            {
                ValueOutcome.Null => -1,
                ValueOutcome.Rewritten => scratch.Used - before,
                _ => Copy(scratch, field),
            };
            changed |= outcome != ValueOutcome.Unchanged;
            scratch.WriteInt32At(slotOffset, written);
        }

        reader.VerifyAtEnd();
        if (!changed)
        {
            return ValueOutcome.Unchanged;
        }

        offset = mark;
        length = scratch.Used - mark;
        return ValueOutcome.Rewritten;

        static int Copy(MaskingScratch scratch, ReadOnlySpan<byte> field)
        {
            scratch.Append(field);
            return field.Length;
        }
    }

    private bool IsSensitiveNumber(ReadOnlySpan<byte> value, PgTypeInfo type, bool binary, uint typeOid = 0)
    {
        if (!binary)
        {
            ReadOnlySpan<byte> digits = value.Length > 0 && value[0] is (byte)'-' or (byte)'+' ? value.Slice(1) : value;
            return digits.Length is >= 9 and <= 19 && !digits.ContainsAnyExceptInRange((byte)'0', (byte)'9') && Detected(digits);
        }

        return IsSensitiveBinaryNumber(value, typeOid);
    }

    /// <summary>Kept apart from the text case, which every integer column of a text result takes: no stack buffer there.</summary>
    private bool IsSensitiveBinaryNumber(ReadOnlySpan<byte> value, uint typeOid)
    {
        Span<byte> text = stackalloc byte[24];
        int written;
        switch (value.Length)
        {
            case 8 when typeOid is 0 or PgTypeOids.Int8:
                long number = BinaryPrimitives.ReadInt64BigEndian(value);
                ulong magnitude = number == long.MinValue ? 0 : (ulong)Math.Abs(number);
                System.Buffers.Text.Utf8Formatter.TryFormat(magnitude, text, out written);
                break;
            case 4 when typeOid is 0 or PgTypeOids.Int4:
                System.Buffers.Text.Utf8Formatter.TryFormat((uint)Math.Abs((long)BinaryPrimitives.ReadInt32BigEndian(value)), text, out written);
                break;
            default:
                written = NumericDigits(value, text);
                break;
        }

        return written >= 9 && Detected(text.Slice(0, written));
    }

    private bool Detected(ReadOnlySpan<byte> digits)
    {
        if (!scanner.IsSensitiveNumber(digits, out int detector))
        {
            return false;
        }

        DetectorCounts[detector]++;
        return true;
    }

    /// <summary>
    /// The digits of a binary numeric that is an integer: ndigits, weight, sign, dscale, then base-10000 digits. Returns 0
    /// for anything else (fractions, NaN, too long), which no number detector checks.
    /// </summary>
    private static int NumericDigits(ReadOnlySpan<byte> value, Span<byte> text)
    {
        if (value.Length < 8)
        {
            return 0;
        }

        int count = BinaryPrimitives.ReadInt16BigEndian(value);
        int weight = BinaryPrimitives.ReadInt16BigEndian(value.Slice(2));
        int scale = BinaryPrimitives.ReadInt16BigEndian(value.Slice(6));
        if (scale != 0 || count <= 0 || weight < count - 1 || (weight + 1) * 4 > text.Length || value.Length != 8 + (2 * count))
        {
            return 0;
        }

        int written = 0;
        for (int group = 0; group <= weight; group++)
        {
            int digits = group < count ? BinaryPrimitives.ReadInt16BigEndian(value.Slice(8 + (2 * group))) : 0;
            for (int divisor = 1000; divisor > 0; divisor /= 10)
            {
                byte digit = (byte)('0' + (digits / divisor % 10));
                if (written > 0 || digit != '0')
                {
                    text[written++] = digit;
                }
            }
        }

        return written;
    }
}
