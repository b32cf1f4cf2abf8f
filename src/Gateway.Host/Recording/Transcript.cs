using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Gateway.Core.Protocol.Postgres;

namespace Gateway.Host.Recording;

/// <summary>
/// Renders a recording as a readable transcript (<c>gateway replay &lt;session&gt;</c>): the client's statements with
/// their parameters, result rows as text, command tags, errors and notices, and how the session ended.
/// </summary>
internal static class Transcript
{
    /// <summary>Rows shown per result before the rest are only counted.</summary>
    public const int DefaultMaxRows = 100;

    public static string Render(string path, int maxRows = DefaultMaxRows)
    {
        var output = new StringWriter(CultureInfo.InvariantCulture);
        Write(path, output, maxRows);
        return output.ToString();
    }

    /// <summary>Writes the transcript and returns the reader's verdict on the file, which the transcript's last line states.</summary>
    public static RecordingVerification Write(string path, TextWriter output, int maxRows = DefaultMaxRows)
    {
        ArgumentNullException.ThrowIfNull(output);
        (List<RecordingRecord> records, RecordingVerification verdict) = RecordingReader.Read(path);
        var state = new RenderState(output, maxRows);
        foreach (RecordingRecord record in records)
        {
            state.Render(record);
        }

        state.EndResult();
        output.WriteLine(verdict.Status switch
        {
            RecordingStatus.Sealed => "-- end: " + CloseReasonOf(verdict.SealJson),
            RecordingStatus.Truncated => "-- truncated: gateway crashed (no seal; readable up to frame " + verdict.Frames.ToString(CultureInfo.InvariantCulture) + ")",
            _ => $"-- corrupt at frame {verdict.BadFrame}, record {verdict.BadRecord?.ToString(CultureInfo.InvariantCulture) ?? "-"}, offset {verdict.BadOffset}: {verdict.Detail}",
        });
        return verdict;
    }

    private static string CloseReasonOf(string? sealJson)
    {
        if (sealJson is null)
        {
            return "sealed";
        }

        using JsonDocument seal = JsonDocument.Parse(sealJson);
        string reason = seal.RootElement.TryGetProperty("closeReason", out JsonElement value) ? value.GetString() ?? "" : "";
        bool truncated = seal.RootElement.TryGetProperty("truncated", out JsonElement flag) && flag.ValueKind == JsonValueKind.True;
        return "sealed, " + reason + (truncated ? " (recording truncated at the size limit)" : "");
    }

    private sealed class RenderState(TextWriter output, int maxRows)
    {
        private (string Name, uint Type, short Format)[] _columns = [];
        private int _rows;

        public void Render(RecordingRecord record)
        {
            switch (record.Kind)
            {
                case RecordingFormat.Header:
                    RecordingHeader? header = RecordingHeader.TryParse(record.Body.Span);
                    output.WriteLine($"-- session {header?.SessionId} grant {header?.GrantId} agent {header?.Agent} target {header?.Target} scope {header?.Scope} database {header?.Database} started {header?.StartedAt.UtcDateTime:yyyy-MM-dd HH:mm:ss.fff} UTC");
                    break;
                case RecordingFormat.Message:
                    Message(record);
                    break;
                case RecordingFormat.Raw:
                    Line(record, $"{Arrow(record.Side)} raw {record.Payload.Length} bytes (after a malformed message)");
                    break;
                case RecordingFormat.Malformed:
                    Line(record, $"{Arrow(record.Side)} malformed: {Encoding.UTF8.GetString(record.Payload.Span)}");
                    break;
                case RecordingFormat.Truncated:
                    Line(record, "-- recording truncated at the size limit; messages are only counted from here");
                    break;
            }
        }

        public void EndResult()
        {
            if (_rows > maxRows)
            {
                output.WriteLine($"             ... {_rows - maxRows} more rows");
            }

            _rows = 0;
        }

        private void Line(RecordingRecord record, string text)
            => output.WriteLine($"[{record.Microseconds / 1e6,10:F3}] {text}");

        private static string Arrow(PgSide side) => side == PgSide.Frontend ? ">" : "<";

        private void Message(RecordingRecord record)
        {
            ReadOnlySpan<byte> payload = record.Payload.Span;
            string redacted = (record.Flags & RecordingFormat.FlagRedacted) != 0 ? " (masked)" : "";
            if (record.Side == PgSide.Frontend)
            {
                switch ((char)record.MessageType)
                {
                    case 'Q':
                        Line(record, "> Query: " + CString(payload, out _) + redacted);
                        break;
                    case 'P':
                        string name = CString(payload, out int next);
                        Line(record, $"> Parse \"{name}\": {CString(payload.Slice(Math.Min(next, payload.Length)), out _)}{redacted}");
                        break;
                    case 'B':
                        Line(record, "> Bind " + Bind(payload) + redacted);
                        break;
                    case 'E':
                        Line(record, $"> Execute \"{CString(payload, out _)}\"");
                        break;
                    case 'X':
                        Line(record, "> Terminate");
                        break;
                    case 'd':
                        Line(record, $"> CopyData {payload.Length} bytes{redacted}");
                        break;
                    case 'S' or 'H' or 'D' or 'C':
                        break;
                    default:
                        Line(record, $"> {(char)record.MessageType} ({payload.Length} bytes)");
                        break;
                }

                return;
            }

            switch ((char)record.MessageType)
            {
                case 'T':
                    EndResult();
                    _columns = RowDescription(payload);
                    Line(record, "< columns: " + string.Join(" | ", _columns.Select(c => c.Name)));
                    break;
                case 'D':
                    _rows++;
                    if (_rows <= maxRows)
                    {
                        Line(record, "<   " + Row(payload));
                    }

                    break;
                case 'C':
                    EndResult();
                    Line(record, "< " + CString(payload, out _));
                    break;
                case 'E' or 'N':
                    EndResult();
                    Dictionary<char, string> fields = Fields(payload);
                    Line(record, $"< {fields.GetValueOrDefault('S', "?")} {fields.GetValueOrDefault('C', "")}: {fields.GetValueOrDefault('M', "")}"
                        + (fields.TryGetValue('D', out string? detail) ? " (" + detail + ")" : ""));
                    break;
                case 'I':
                    Line(record, "< (empty query)");
                    break;
                case 'G' or 'H':
                    Line(record, "< COPY started");
                    break;
            }
        }

        private string Row(ReadOnlySpan<byte> payload)
        {
            var text = new StringBuilder();
            if (payload.Length < 2)
            {
                return "(malformed row)";
            }

            int count = BinaryPrimitives.ReadInt16BigEndian(payload);
            int position = 2;
            for (int i = 0; i < count; i++)
            {
                if (payload.Length - position < 4)
                {
                    return text.Append("(malformed row)").ToString();
                }

                int length = BinaryPrimitives.ReadInt32BigEndian(payload.Slice(position));
                position += 4;
                if (i > 0)
                {
                    text.Append(" | ");
                }

                if (length < 0)
                {
                    text.Append("NULL");
                    continue;
                }

                if (payload.Length - position < length)
                {
                    return text.Append("(malformed row)").ToString();
                }

                ReadOnlySpan<byte> value = payload.Slice(position, length);
                position += length;
                (string _, uint type, short format) = i < _columns.Length ? _columns[i] : ("", 0u, (short)0);
                text.Append(format == 0 ? Encoding.UTF8.GetString(value) : Binary(type, value));
            }

            return text.ToString();
        }

        private static string Binary(uint type, ReadOnlySpan<byte> value) => (type, value.Length) switch
        {
            (16, 1) => value[0] != 0 ? "t" : "f",
            (21, 2) => BinaryPrimitives.ReadInt16BigEndian(value).ToString(CultureInfo.InvariantCulture),
            (23 or 26, 4) => BinaryPrimitives.ReadInt32BigEndian(value).ToString(CultureInfo.InvariantCulture),
            (20, 8) => BinaryPrimitives.ReadInt64BigEndian(value).ToString(CultureInfo.InvariantCulture),
            (700, 4) => BinaryPrimitives.ReadSingleBigEndian(value).ToString(CultureInfo.InvariantCulture),
            (701, 8) => BinaryPrimitives.ReadDoubleBigEndian(value).ToString(CultureInfo.InvariantCulture),
            (25 or 1043 or 1042 or 19 or 114, _) => Encoding.UTF8.GetString(value),
            _ => "\\x" + Convert.ToHexStringLower(value),
        };

        private static (string, uint, short)[] RowDescription(ReadOnlySpan<byte> payload)
        {
            if (payload.Length < 2)
            {
                return [];
            }

            int count = BinaryPrimitives.ReadInt16BigEndian(payload);
            var columns = new List<(string, uint, short)>();
            int position = 2;
            for (int i = 0; i < count && position < payload.Length; i++)
            {
                string name = CString(payload.Slice(position), out int next);
                position += next;
                if (payload.Length - position < 18)
                {
                    break;
                }

                uint type = BinaryPrimitives.ReadUInt32BigEndian(payload.Slice(position + 6));
                short format = BinaryPrimitives.ReadInt16BigEndian(payload.Slice(position + 16));
                columns.Add((name, type, format));
                position += 18;
            }

            return [.. columns];
        }

        private static string Bind(ReadOnlySpan<byte> payload)
        {
            string portal = CString(payload, out int next);
            int position = next;
            string statement = CString(payload.Slice(Math.Min(position, payload.Length)), out next);
            position += next;
            var text = new StringBuilder($"portal \"{portal}\" statement \"{statement}\"");
            if (payload.Length - position < 2)
            {
                return text.ToString();
            }

            int formatCount = BinaryPrimitives.ReadInt16BigEndian(payload.Slice(position));
            var formats = new short[Math.Max(formatCount, 0)];
            position += 2;
            for (int i = 0; i < formats.Length && payload.Length - position >= 2; i++, position += 2)
            {
                formats[i] = BinaryPrimitives.ReadInt16BigEndian(payload.Slice(position));
            }

            if (payload.Length - position < 2)
            {
                return text.ToString();
            }

            int count = BinaryPrimitives.ReadInt16BigEndian(payload.Slice(position));
            position += 2;
            for (int i = 0; i < count && payload.Length - position >= 4; i++)
            {
                int length = BinaryPrimitives.ReadInt32BigEndian(payload.Slice(position));
                position += 4;
                text.Append(CultureInfo.InvariantCulture, $" ${i + 1}=");
                if (length < 0)
                {
                    text.Append("NULL");
                    continue;
                }

                if (payload.Length - position < length)
                {
                    break;
                }

                ReadOnlySpan<byte> value = payload.Slice(position, length);
                position += length;
                short format = formats.Length == 0 ? (short)0 : formats[formats.Length == 1 ? 0 : Math.Min(i, formats.Length - 1)];
                bool printable = format == 0 || IsPrintable(value);
                text.Append(printable ? "'" + Encoding.UTF8.GetString(value).Replace("'", "''", StringComparison.Ordinal) + "'" : "\\x" + Convert.ToHexStringLower(value));
            }

            return text.ToString();
        }

        private static bool IsPrintable(ReadOnlySpan<byte> value)
        {
            foreach (byte b in value)
            {
                if (b < 0x20 && b is not (byte)'\n' and not (byte)'\t' and not (byte)'\r')
                {
                    return false;
                }
            }

            return Encoding.UTF8.GetCharCount(value) > 0 || value.IsEmpty;
        }

        private static Dictionary<char, string> Fields(ReadOnlySpan<byte> payload)
        {
            var fields = new Dictionary<char, string>();
            int position = 0;
            while (position < payload.Length && payload[position] != 0)
            {
                char code = (char)payload[position];
                string value = CString(payload.Slice(position + 1), out int next);
                fields[code] = value;
                position += 1 + next;
            }

            return fields;
        }

        /// <summary>A NUL-terminated string; <paramref name="next"/> is the length including the NUL.</summary>
        private static string CString(ReadOnlySpan<byte> data, out int next)
        {
            int end = data.IndexOf((byte)0);
            if (end < 0)
            {
                next = data.Length;
                return Encoding.UTF8.GetString(data);
            }

            next = end + 1;
            return Encoding.UTF8.GetString(data.Slice(0, end));
        }
    }
}
