using System.Buffers;
using Gateway.Core.Internal;
using Gateway.Core.Protocol.Postgres;

namespace Gateway.Core.Masking;

/// <summary>
/// Masks the rows of one COPY … TO STDOUT. CopyOutResponse carries no column origins, so the columns come from the
/// COPY statement: for <c>COPY table [(columns)]</c> the catalog gives each column's rule and type; for
/// <c>COPY (query)</c> every column is masked when the query is tainted and scanned otherwise; when the statement
/// could not be read (a COPY inside a multi-statement query) every column is masked if the target protects any.
/// PostgreSQL sends each row in its own CopyData; a row that does not parse into the expected number of fields is
/// replaced by a row of NULLs rather than guessed at.
/// </summary>
internal sealed class CopyOutMasker : IDisposable
{
    /// <summary>PGCOPY, newline, 0xFF, carriage return, newline, NUL.</summary>
    private static ReadOnlySpan<byte> BinarySignature => [0x50, 0x47, 0x43, 0x4F, 0x50, 0x59, 0x0A, 0xFF, 0x0D, 0x0A, 0x00];

    private readonly RowPlan _plan;
    private readonly CopyFormat _format;
    private readonly byte _delimiter;
    private readonly byte _quote;
    private readonly byte _escape;
    private readonly byte[] _null;
    private readonly PooledBufferWriter _row = new();
    private bool _headerPending;

    private CopyOutMasker(RowPlan plan, CopyFormat format, CopyStatement? statement)
    {
        _plan = plan;
        _format = format;
        _delimiter = statement?.Delimiter ?? (format == CopyFormat.Csv ? (byte)',' : (byte)'\t');
        _quote = statement?.Quote ?? (byte)'"';
        _escape = statement?.Escape ?? _quote;
        _null = System.Text.Encoding.UTF8.GetBytes(statement?.NullText ?? (format == CopyFormat.Csv ? string.Empty : "\\N"));
        _headerPending = format == CopyFormat.Binary || (statement?.Header ?? false);
    }

    public RowPlan Plan => _plan;

    /// <summary>Plans a COPY from its CopyOutResponse and the statement that started it (if it could be read).</summary>
    public static CopyOutMasker Create(ReadOnlySpan<byte> copyOutResponse, CopyStatement? statement, bool tainted, MaskingCatalog catalog, ContentScanner scanner, Action<uint>? unknownRelation)
    {
        var reader = new PgReader(copyOutResponse);
        bool binary = reader.ReadByte() != 0;
        int count = reader.ReadInt16();
        if (count < 0)
        {
            ThrowHelper.ThrowProtocolViolation($"CopyOutResponse with {count} columns");
        }

        for (int i = 0; i < count; i++)
        {
            reader.ReadInt16();
        }

        reader.VerifyAtEnd();
        CopyFormat format = binary ? CopyFormat.Binary : statement?.Format == CopyFormat.Csv ? CopyFormat.Csv : CopyFormat.Text;
        return new CopyOutMasker(PlanColumns(count, binary, statement, tainted, catalog, scanner, unknownRelation), format, statement);
    }

    private static RowPlan PlanColumns(int count, bool binary, CopyStatement? statement, bool tainted, MaskingCatalog catalog, ContentScanner scanner, Action<uint>? unknownRelation)
    {
        bool protects = catalog.ProtectedColumnCount > 0;
        if (statement is null)
        {
            return protects ? RowPlan.MaskAll(count, RowPlan.UnparsedRule, !binary) : RowPlan.ScanAll(count, binary, scanner);
        }

        if (statement.IsQuery)
        {
            return protects && (tainted || catalog.Policy.MaskAllExpressions) ? RowPlan.MaskAll(count, RowPlan.ExpressionRule, !binary) : RowPlan.ScanAll(count, binary, scanner);
        }

        CatalogRelation? relation = catalog.FindRelation(statement.Schema, statement.Relation!);
        if (relation is null)
        {
            return protects ? RowPlan.MaskAll(count, RowPlan.UnknownRelationRule, !binary) : RowPlan.ScanAll(count, binary, scanner);
        }

        List<CatalogAttribute> attributes = statement.Columns.Count == 0
            ? relation.Attributes
            : [.. statement.Columns.Select(name => relation.Attributes.Find(a => a.Name == name)).OfType<CatalogAttribute>()];
        if (attributes.Count != count || (tainted && !catalog.ProtectedRelations.Contains(relation.Oid) && protects))
        {
            // A column list the catalog cannot match, or a tainted COPY of a relation that is not protected itself (a
            // name this session gave to data it copied, shadowing a harmless table): everything goes.
            return RowPlan.MaskAll(count, RowPlan.UnparsedRule, !binary);
        }

        return RowPlan.ForColumns(attributes.Select(a => (relation.Oid, a.Number, a.TypeOid)).ToArray(), binary, catalog, scanner, unknownRelation);
    }

    /// <summary>Rewrites one CopyData payload; false when it goes on unchanged.</summary>
    public bool TryRewrite(ReadOnlySpan<byte> data, ValueRewriter rewriter, MaskingScratch scratch, IBufferWriter<byte> output)
    {
        _row.Reset();
        bool changed = _format == CopyFormat.Binary ? RewriteBinary(data, rewriter, scratch) : RewriteText(data, rewriter, scratch);
        if (!changed)
        {
            return false;
        }

        PgMessageWriter.WriteRaw(output, (byte)BackendCode.CopyData, _row.WrittenMemory.Span);
        return true;
    }

    private bool RewriteText(ReadOnlySpan<byte> data, ValueRewriter rewriter, MaskingScratch scratch)
    {
        bool changed = false;
        int position = 0;
        while (position < data.Length)
        {
            int end = RowEnd(data, position);
            if (end < 0)
            {
                ThrowHelper.ThrowProtocolViolation("CopyData ends inside a row");
            }

            ReadOnlySpan<byte> line = data.Slice(position, end - position);
            position = end + 1;
            if (_headerPending)
            {
                _headerPending = false;
                _row.Write(line);
                _row.Write("\n"u8);
                continue;
            }

            changed |= RewriteTextRow(line, rewriter, scratch);
            _row.Write("\n"u8);
        }

        return changed;
    }

    private bool RewriteTextRow(ReadOnlySpan<byte> line, ValueRewriter rewriter, MaskingScratch scratch)
    {
        ColumnAction[] columns = _plan.Columns;
        _plan.Rows++;
        if (!_plan.NeedsWork)
        {
            _row.Write(line);
            return false;
        }

        int start = _row.WrittenCount;
        bool changed = false;
        int column = 0;
        int position = 0;
        while (true)
        {
            int end = FieldEnd(line, position);
            if (column >= columns.Length)
            {
                return WriteNullRow(start);
            }

            ReadOnlySpan<byte> field = line.Slice(position, end - position);
            if (column > 0)
            {
                _row.Write([_delimiter]);
            }

            changed |= RewriteTextField(field, columns[column], rewriter, scratch);
            column++;
            if (end == line.Length)
            {
                break;
            }

            position = end + 1;
        }

        return column == columns.Length ? changed : WriteNullRow(start);
    }

    private bool RewriteTextField(ReadOnlySpan<byte> field, in ColumnAction action, ValueRewriter rewriter, MaskingScratch scratch)
    {
        if (action.Kind == ColumnActionKind.Pass || (field.SequenceEqual(_null) && !IsQuoted(field)))
        {
            _row.Write(field);
            return false;
        }

        scratch.Reset();
        ReadOnlySpan<byte> value = Decode(field, scratch);
        ValueOutcome outcome = rewriter.Apply(value, action, scratch, out int offset, out int length);
        switch (outcome)
        {
            case ValueOutcome.Unchanged:
                _row.Write(field);
                return false;
            case ValueOutcome.Null:
                _row.Write(_null);
                break;
            default:
                Encode(scratch.Slice(offset, length));
                break;
        }

        if (action.Kind == ColumnActionKind.Mask)
        {
            _plan.RuleCounts[action.Rule]++;
        }

        return true;
    }

    /// <summary>A row that did not parse as expected: every field NULL, so nothing of it leaks.</summary>
    private bool WriteNullRow(int start)
    {
        _row.Truncate(start);
        for (int i = 0; i < _plan.Columns.Length; i++)
        {
            if (i > 0)
            {
                _row.Write([_delimiter]);
            }

            _row.Write(_null);
        }

        _plan.UnparsedValues += _plan.Columns.Length;
        return true;
    }

    private bool IsQuoted(ReadOnlySpan<byte> field) => _format == CopyFormat.Csv && field.Length > 0 && field[0] == _quote;

    /// <summary>Where the row starting at <paramref name="start"/> ends (its newline), or -1.</summary>
    private int RowEnd(ReadOnlySpan<byte> data, int start)
    {
        if (_format == CopyFormat.Text)
        {
            // Text format escapes newlines inside values, so the first raw newline ends the row.
            int newline = data.Slice(start).IndexOf((byte)'\n');
            return newline < 0 ? -1 : start + newline;
        }

        bool quoted = false;
        for (int i = start; i < data.Length; i++)
        {
            byte b = data[i];
            if (quoted)
            {
                if (b == _escape && _escape != _quote && i + 1 < data.Length && (data[i + 1] == _quote || data[i + 1] == _escape))
                {
                    i++;
                }
                else if (b == _quote)
                {
                    quoted = false;
                }
            }
            else if (b == _quote)
            {
                quoted = true;
            }
            else if (b == '\n')
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>Where the field starting at <paramref name="start"/> ends (its delimiter, or the end of the line).</summary>
    private int FieldEnd(ReadOnlySpan<byte> line, int start)
    {
        bool quoted = false;
        for (int i = start; i < line.Length; i++)
        {
            byte b = line[i];
            if (_format == CopyFormat.Text)
            {
                if (b == '\\')
                {
                    i++;
                }
                else if (b == _delimiter)
                {
                    return i;
                }
            }
            else if (quoted)
            {
                if (b == _escape && _escape != _quote && i + 1 < line.Length && (line[i + 1] == _quote || line[i + 1] == _escape))
                {
                    i++;
                }
                else if (b == _quote)
                {
                    quoted = false;
                }
            }
            else if (b == _quote)
            {
                quoted = true;
            }
            else if (b == _delimiter)
            {
                return i;
            }
        }

        return line.Length;
    }

    /// <summary>A field's value: text-format backslash escapes or CSV quoting undone, into the arena when needed.</summary>
    private ReadOnlySpan<byte> Decode(ReadOnlySpan<byte> field, MaskingScratch scratch)
    {
        if (_format == CopyFormat.Csv)
        {
            if (!IsQuoted(field))
            {
                return field;
            }

            ReadOnlySpan<byte> inner = field.Slice(1, Math.Max(0, field.Length - 2));
            Span<byte> decoded = scratch.Reserve(inner.Length, out int csvOffset);
            int csvLength = 0;
            for (int i = 0; i < inner.Length; i++)
            {
                if (inner[i] == _escape && i + 1 < inner.Length && (inner[i + 1] == _quote || inner[i + 1] == _escape))
                {
                    i++;
                }

                decoded[csvLength++] = inner[i];
            }

            scratch.Commit(csvLength);
            return scratch.Slice(csvOffset, csvLength);
        }

        if (field.IndexOf((byte)'\\') < 0)
        {
            return field;
        }

        Span<byte> text = scratch.Reserve(field.Length, out int offset);
        int length = 0;
        for (int i = 0; i < field.Length; i++)
        {
            byte b = field[i];
            if (b != '\\' || i + 1 == field.Length)
            {
                text[length++] = b;
                continue;
            }

            byte next = field[++i];
            switch (next)
            {
                case (byte)'b': text[length++] = 8; break;
                case (byte)'f': text[length++] = 12; break;
                case (byte)'n': text[length++] = 10; break;
                case (byte)'r': text[length++] = 13; break;
                case (byte)'t': text[length++] = 9; break;
                case (byte)'v': text[length++] = 11; break;
                case >= (byte)'0' and <= (byte)'7':
                    int octal = next - '0';
                    for (int digits = 1; digits < 3 && i + 1 < field.Length && field[i + 1] is >= (byte)'0' and <= (byte)'7'; digits++)
                    {
                        octal = (octal * 8) + (field[++i] - '0');
                    }

                    text[length++] = (byte)octal;
                    break;
                case (byte)'x' when i + 1 < field.Length && IsHex(field[i + 1]):
                    int hex = HexValue(field[++i]);
                    if (i + 1 < field.Length && IsHex(field[i + 1]))
                    {
                        hex = (hex * 16) + HexValue(field[++i]);
                    }

                    text[length++] = (byte)hex;
                    break;
                default:
                    text[length++] = next;
                    break;
            }
        }

        scratch.Commit(length);
        return scratch.Slice(offset, length);
    }

    /// <summary>Writes a replacement value in the row's format: CSV always quoted, text with its specials escaped.</summary>
    private void Encode(ReadOnlySpan<byte> value)
    {
        if (_format == CopyFormat.Csv)
        {
            _row.Write([_quote]);
            foreach (byte b in value)
            {
                if (b == _quote || b == _escape)
                {
                    _row.Write([_escape]);
                }

                _row.Write([b]);
            }

            _row.Write([_quote]);
            return;
        }

        foreach (byte b in value)
        {
            ReadOnlySpan<byte> escaped = b switch
            {
                (byte)'\\' => "\\\\"u8,
                (byte)'\n' => "\\n"u8,
                (byte)'\r' => "\\r"u8,
                _ => default,
            };
            if (!escaped.IsEmpty)
            {
                _row.Write(escaped);
                continue;
            }

            if (b == _delimiter)
            {
                _row.Write("\\"u8);
            }

            _row.Write([b]);
        }
    }

    private bool RewriteBinary(ReadOnlySpan<byte> data, ValueRewriter rewriter, MaskingScratch scratch)
    {
        var reader = new PgReader(data);
        if (_headerPending)
        {
            _headerPending = false;
            if (!reader.ReadBytes(BinarySignature.Length).SequenceEqual(BinarySignature))
            {
                ThrowHelper.ThrowProtocolViolation("binary COPY without its signature");
            }

            reader.ReadInt32();
            int extension = reader.ReadInt32();
            if (extension < 0)
            {
                ThrowHelper.ThrowProtocolViolation("binary COPY header extension of negative length");
            }

            reader.ReadBytes(extension);
            _row.Write(data.Slice(0, reader.Position));
        }

        bool changed = false;
        ColumnAction[] columns = _plan.Columns;
        while (!reader.IsAtEnd)
        {
            int count = reader.ReadInt16();
            _row.Write(data.Slice(reader.Position - 2, 2));
            if (count == -1)
            {
                continue;
            }

            if (count != columns.Length)
            {
                ThrowHelper.ThrowProtocolViolation($"binary COPY tuple with {count} fields in a COPY of {columns.Length}");
            }

            _plan.Rows++;
            for (int i = 0; i < count; i++)
            {
                int length = reader.ReadInt32();
                if (length < 0)
                {
                    _row.Write(data.Slice(reader.Position - 4, 4));
                    continue;
                }

                ReadOnlySpan<byte> value = reader.ReadBytes(length);
                ref readonly ColumnAction action = ref columns[i];
                scratch.Reset();
                int offset = 0;
                int written = 0;
                ValueOutcome outcome = action.Kind == ColumnActionKind.Pass ? ValueOutcome.Unchanged : rewriter.Apply(value, action, scratch, out offset, out written);
                if (outcome == ValueOutcome.Unchanged)
                {
                    _row.Write(data.Slice(reader.Position - length - 4, length + 4));
                    continue;
                }

                System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(_row.GetSpan(4), outcome == ValueOutcome.Null ? -1 : written);
                _row.Advance(4);
                if (outcome == ValueOutcome.Rewritten)
                {
                    _row.Write(scratch.Slice(offset, written));
                }

                changed = true;
                if (action.Kind == ColumnActionKind.Mask)
                {
                    _plan.RuleCounts[action.Rule]++;
                }
            }
        }

        return changed;
    }

    private static bool IsHex(byte b) => char.IsAsciiHexDigit((char)b);

    private static int HexValue(byte b) => b <= '9' ? b - '0' : (b | 0x20) - 'a' + 10;

    public void Dispose() => _row.Dispose();
}
