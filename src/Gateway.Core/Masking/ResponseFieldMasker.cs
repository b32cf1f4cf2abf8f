using System.Buffers;
using Gateway.Core.Protocol.Postgres;
using Gateway.Core.Protocol.Postgres.Messages;

namespace Gateway.Core.Masking;

/// <summary>
/// Masks the text fields of ErrorResponse and NoticeResponse, where values leave the database outside any row:
/// <list type="bullet">
/// <item>always: the values of <c>Key (…)=(…)</c> and <c>Failing row contains (…)</c> details, and for data
/// exceptions (class 22) the quoted input in the message plus the whole detail and context;</item>
/// <item>during a statement that reads protected data: the message (only its quoted parts for error classes whose
/// text names objects rather than data), detail, hint, context and internal query;</item>
/// <item>every text field the content detectors look at.</item>
/// </list>
/// Severity, SQLSTATE, position and the object-name fields (schema, table, column, type, constraint) pass.
/// </summary>
internal static class ResponseFieldMasker
{
    private const byte Hint = (byte)'H';
    private const byte Where = (byte)'W';
    private const byte InternalQuery = (byte)'q';

    /// <summary>Returns false when the message goes on unchanged; <paramref name="masked"/> counts fields changed.</summary>
    public static bool TryRewrite(byte code, ReadOnlySpan<byte> payload, bool tainted, ValueRewriter rewriter, ReadOnlySpan<byte> redacted, MaskingScratch scratch, IBufferWriter<byte> output, ref long masked)
    {
        ErrorResponse.Parse(payload, out ReadOnlySpan<byte> severity, out ReadOnlySpan<byte> sqlState);
        bool dataException = sqlState.StartsWith("22"u8);
        bool integrity = sqlState.StartsWith("23"u8);
        bool namesObjects = NamesObjects(sqlState);
        scratch.Reset();

        // First pass: each field's new text goes to the arena; remember only whether any changed.
        var reader = new PgReader(payload);
        bool changed = false;
        Span<int> slots = scratch.Columns(64);
        int fields = 0;
        while (true)
        {
            byte field = reader.ReadByte();
            if (field == 0)
            {
                break;
            }

            int start = reader.Position;
            ReadOnlySpan<byte> text = reader.ReadCString();
            int offset = -1;
            int length = 0;
            if (field is ErrorResponse.Message or ErrorResponse.Detail or Hint or Where or InternalQuery)
            {
                offset = MaskField(field, text, tainted, dataException, integrity, namesObjects, rewriter, redacted, scratch, out length);
            }

            if (offset >= 0)
            {
                changed = true;
                masked++;
            }

            if (fields == slots.Length / 3)
            {
                // More text fields than the slots hold: PostgreSQL sends a dozen at most. Fail closed.
                return WriteRedacted(code, severity, sqlState, redacted, output, ref masked);
            }

            slots[3 * fields] = field;
            slots[(3 * fields) + 1] = offset >= 0 ? offset : start;
            slots[(3 * fields) + 2] = offset >= 0 ? length : text.Length;
            slots[(3 * fields) + 1] |= offset >= 0 ? int.MinValue : 0;
            fields++;
        }

        if (!changed)
        {
            return false;
        }

        int size = 4 + 1;
        for (int i = 0; i < fields; i++)
        {
            size += 1 + slots[(3 * i) + 2] + 1;
        }

        Span<byte> destination = output.GetSpan(size + 1);
        var writer = new PgSpanWriter(destination);
        writer.WriteByte(code);
        writer.WriteInt32(size);
        for (int i = 0; i < fields; i++)
        {
            int location = slots[(3 * i) + 1];
            int length = slots[(3 * i) + 2];
            writer.WriteByte((byte)slots[3 * i]);
            writer.WriteCString(location < 0 ? scratch.Slice(location & int.MaxValue, length) : payload.Slice(location, length));
        }

        writer.WriteByte(0);
        output.Advance(size + 1);
        return true;
    }

    /// <summary>The field's new text in the arena (returns its offset), or -1 when it stays.</summary>
    private static int MaskField(byte field, ReadOnlySpan<byte> text, bool tainted, bool dataException, bool integrity, bool namesObjects, ValueRewriter rewriter, ReadOnlySpan<byte> redacted, MaskingScratch scratch, out int length)
    {
        length = 0;
        if (text.IsEmpty)
        {
            return -1;
        }

        bool message = field == ErrorResponse.Message;
        if ((tainted && !(message && namesObjects)) || ((dataException || integrity) && field == Where) || (dataException && field == ErrorResponse.Detail))
        {
            length = redacted.Length;
            return scratch.Append(redacted);
        }

        int start = scratch.Used;
        bool rewritten = false;
        if (message && (dataException || tainted))
        {
            rewritten = RedactQuoted(text, redacted, scratch);
        }
        else if (field == ErrorResponse.Detail)
        {
            rewritten = RedactValueList(text, ")=("u8, redacted, scratch) || RedactValueList(text, "Failing row contains ("u8, redacted, scratch);
        }

        ReadOnlySpan<byte> current = rewritten ? scratch.Slice(start, scratch.Used - start) : text;
        if (rewriter.ScanText(current, scratch, out int scannedOffset, out int scannedLength) == ValueOutcome.Rewritten)
        {
            length = scannedLength;
            return scannedOffset;
        }

        length = rewritten ? scratch.Used - start : 0;
        return rewritten ? start : -1;
    }

    /// <summary>Replaces the inside of every double-quoted part: the input a cast or parser rejected.</summary>
    private static bool RedactQuoted(ReadOnlySpan<byte> text, ReadOnlySpan<byte> redacted, MaskingScratch scratch)
    {
        int open = text.IndexOf((byte)'"');
        if (open < 0)
        {
            return false;
        }

        int position = 0;
        while (open >= 0)
        {
            int close = text.Slice(open + 1).IndexOf((byte)'"');
            int end = close < 0 ? text.Length : open + 1 + close;
            scratch.Append(text.Slice(position, open + 1 - position));
            scratch.Append(redacted);
            position = end;
            int next = end + 1 < text.Length ? text.Slice(end + 1).IndexOf((byte)'"') : -1;
            open = next < 0 ? -1 : end + 1 + next;
        }

        scratch.Append(text.Slice(position));
        return true;
    }

    /// <summary>
    /// Replaces everything from after <paramref name="marker"/> to the last closing parenthesis: the values of
    /// <c>Key (email)=(a@example.com) already exists.</c> or <c>Failing row contains (1, null, …).</c>, whatever
    /// parentheses the values themselves hold.
    /// </summary>
    private static bool RedactValueList(ReadOnlySpan<byte> text, ReadOnlySpan<byte> marker, ReadOnlySpan<byte> redacted, MaskingScratch scratch)
    {
        int at = text.IndexOf(marker);
        if (at < 0)
        {
            return false;
        }

        int valuesStart = at + marker.Length;
        int close = text.LastIndexOf((byte)')');
        int valuesEnd = close >= valuesStart ? close : text.Length;
        scratch.Append(text.Slice(0, valuesStart));
        scratch.Append(redacted);
        scratch.Append(text.Slice(valuesEnd));
        return true;
    }

    /// <summary>
    /// Error classes whose message names objects and states rather than data (syntax and access rules, transaction
    /// state, cursors, connection, operator intervention): during a tainted statement only their quoted parts go,
    /// because a cast such as <c>'…'::regclass</c> can still put a value there.
    /// </summary>
    private static bool NamesObjects(ReadOnlySpan<byte> sqlState) => sqlState.Slice(0, 2) switch
    {
        var c when c.SequenceEqual("42"u8) || c.SequenceEqual("25"u8) || c.SequenceEqual("40"u8) || c.SequenceEqual("57"u8)
            || c.SequenceEqual("08"u8) || c.SequenceEqual("53"u8) || c.SequenceEqual("0A"u8) || c.SequenceEqual("24"u8)
            || c.SequenceEqual("26"u8) || c.SequenceEqual("34"u8) || c.SequenceEqual("3D"u8) || c.SequenceEqual("3F"u8) => true,
        _ => false,
    };

    /// <summary>Severity, SQLSTATE and a redacted message: all that is kept of a message too odd to mask field by field.</summary>
    private static bool WriteRedacted(byte code, ReadOnlySpan<byte> severity, ReadOnlySpan<byte> sqlState, ReadOnlySpan<byte> redacted, IBufferWriter<byte> output, ref long masked)
    {
        PgMessageWriter.WriteFieldMessage(output, code, severity, sqlState, redacted);
        masked++;
        return true;
    }
}
