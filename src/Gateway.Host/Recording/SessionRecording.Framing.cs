using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using Gateway.Core.Protocol.Postgres;

namespace Gateway.Host.Recording;

/// <summary>Turning each direction's byte stream into records: framing, masking client text, truncation, the seal.</summary>
internal sealed partial class SessionRecording
{
    /// <summary>A direction's framing state: the header and body of the message being assembled.</summary>
    private sealed class Direction
    {
        public readonly byte[] Header = new byte[5];
        public readonly PooledBuffer Body = new();
        public int HeaderFill;
        public int BodyLength;
        public int BodyFill;
        public long Time;
        public long MessageStart;
        public long Offset;
        public bool Malformed;
    }

    private void Feed(int side, long time, ReadOnlySpan<byte> data)
    {
        _wireBytes[side] += data.Length;
        if (!_truncated && _wireBytes[0] + _wireBytes[1] > _maxBytes)
        {
            _truncated = true;
            int start = BeginRecord(RecordingFormat.Truncated);
            Span<byte> body = _frame.GetSpan(16);
            BinaryPrimitives.WriteInt64BigEndian(body, time);
            BinaryPrimitives.WriteInt64BigEndian(body.Slice(8), _maxBytes);
            _frame.Advance(16);
            EndRecord(start);
        }

        Direction direction = _directions[side];
        if (direction.Malformed)
        {
            WriteRaw(side, time, data);
            direction.Offset += data.Length;
            return;
        }

        while (!data.IsEmpty)
        {
            if (direction.HeaderFill < 5)
            {
                if (direction.HeaderFill == 0)
                {
                    direction.Time = time;
                    direction.MessageStart = direction.Offset;
                }

                int headerPart = Math.Min(5 - direction.HeaderFill, data.Length);
                data.Slice(0, headerPart).CopyTo(direction.Header.AsSpan(direction.HeaderFill));
                direction.HeaderFill += headerPart;
                direction.Offset += headerPart;
                data = data.Slice(headerPart);
                if (direction.HeaderFill < 5)
                {
                    return;
                }

                byte code = direction.Header[0];
                int length = BinaryPrimitives.ReadInt32BigEndian(direction.Header.AsSpan(1));
                if (!char.IsAsciiLetterOrDigit((char)code) || length < 4 || length > RecordingFormat.MaxMessageLength)
                {
                    // Junk: say so once, then keep the rest of this direction as raw bytes.
                    WriteMalformed(side, time, direction.MessageStart, length < 4 || length > RecordingFormat.MaxMessageLength
                        ? $"invalid length {length} for message type 0x{code:x2}" : $"invalid message type 0x{code:x2}");
                    direction.Malformed = true;
                    WriteRaw(side, time, direction.Header);
                    WriteRaw(side, time, data);
                    direction.Offset += data.Length;
                    return;
                }

                direction.BodyLength = length - 4;
                direction.BodyFill = 0;
                direction.Body.Reset();
            }

            int bodyPart = Math.Min(direction.BodyLength - direction.BodyFill, data.Length);
            if (direction.BodyFill == 0 && bodyPart == direction.BodyLength)
            {
                // The whole body is in this chunk (most messages): record it from here, without assembling it.
                byte whole = direction.Header[0];
                _counts[(side * 256) + whole]++;
                if (!_truncated)
                {
                    WriteMessage(side, direction.Time, whole, data.Slice(0, bodyPart));
                }

                direction.Offset += bodyPart;
                data = data.Slice(bodyPart);
                direction.HeaderFill = 0;
                continue;
            }

            if (!_truncated)
            {
                direction.Body.Write(data.Slice(0, bodyPart));
            }

            direction.BodyFill += bodyPart;
            direction.Offset += bodyPart;
            data = data.Slice(bodyPart);
            if (direction.BodyFill == direction.BodyLength)
            {
                byte code = direction.Header[0];
                _counts[(side * 256) + code]++;
                if (!_truncated)
                {
                    WriteMessage(side, direction.Time, code, direction.Body.WrittenSpan);
                }

                direction.HeaderFill = 0;
                if (direction.BodyLength > _frameBytes)
                {
                    direction.Body.Dispose();
                }
            }
        }
    }

    private void WriteMessage(int side, long time, byte code, ReadOnlySpan<byte> payload)
    {
        int start = BeginRecord(RecordingFormat.Message);
        Span<byte> prefix = _frame.GetSpan(RecordingFormat.MessagePrefixLength);
        BinaryPrimitives.WriteInt64BigEndian(prefix, time);
        prefix[8] = (byte)side;
        prefix[9] = 0;
        prefix[10] = code;
        _frame.Advance(RecordingFormat.MessagePrefixLength);
        int flagsAt = start + RecordingFormat.RecordHeaderLength + 9;
        if (side == (int)PgSide.Frontend && _redactor is not null && IsMasked(code))
        {
            if (WriteRedacted(code, payload) > 0)
            {
                _frame.WrittenSpanMutable[flagsAt] = RecordingFormat.FlagRedacted;
            }
        }
        else
        {
            _frame.Write(payload);
        }

        EndRecord(start);
    }

    private static bool IsMasked(byte code)
        => code is (byte)FrontendCode.Query or (byte)FrontendCode.Parse or (byte)FrontendCode.Bind or (byte)FrontendCode.CopyData;

    /// <summary>
    /// Writes a client message with the detectors' hits in its text replaced: the statement of Query and Parse, each
    /// Bind parameter (in either format: drivers send text in binary format too), CopyData whole. A payload that does
    /// not parse is masked whole, as text.
    /// </summary>
    private int WriteRedacted(byte code, ReadOnlySpan<byte> payload)
    {
        int mark = _frame.Length;
        int hits = code switch
        {
            (byte)FrontendCode.Query => TryRedactQuery(payload),
            (byte)FrontendCode.Parse => TryRedactParse(payload),
            (byte)FrontendCode.Bind => TryRedactBind(payload),
            _ => -1,
        };
        if (hits < 0)
        {
            _frame.Truncate(mark);
            hits = _redactor!.Redact(payload, _frame);
        }

        return hits;
    }

    private int TryRedactQuery(ReadOnlySpan<byte> payload)
    {
        if (payload.IsEmpty || payload[^1] != 0)
        {
            return -1;
        }

        int hits = _redactor!.Redact(payload.Slice(0, payload.Length - 1), _frame);
        _frame.WriteByte(0);
        return hits;
    }

    private int TryRedactParse(ReadOnlySpan<byte> payload)
    {
        int name = payload.IndexOf((byte)0);
        if (name < 0)
        {
            return -1;
        }

        int query = payload.Slice(name + 1).IndexOf((byte)0);
        if (query < 0)
        {
            return -1;
        }

        _frame.Write(payload.Slice(0, name + 1));
        int hits = _redactor!.Redact(payload.Slice(name + 1, query), _frame);
        _frame.Write(payload.Slice(name + 1 + query));
        return hits;
    }

    private int TryRedactBind(ReadOnlySpan<byte> payload)
    {
        int portal = payload.IndexOf((byte)0);
        if (portal < 0)
        {
            return -1;
        }

        int statement = payload.Slice(portal + 1).IndexOf((byte)0);
        if (statement < 0)
        {
            return -1;
        }

        int position = portal + 1 + statement + 1;
        if (payload.Length - position < 2)
        {
            return -1;
        }

        int formats = BinaryPrimitives.ReadInt16BigEndian(payload.Slice(position));
        position += 2 + (formats * 2);
        if (formats < 0 || payload.Length - position < 2)
        {
            return -1;
        }

        int count = BinaryPrimitives.ReadInt16BigEndian(payload.Slice(position));
        position += 2;
        if (count < 0)
        {
            return -1;
        }

        _frame.Write(payload.Slice(0, position));
        int hits = 0;
        for (int i = 0; i < count; i++)
        {
            if (payload.Length - position < 4)
            {
                return -1;
            }

            int length = BinaryPrimitives.ReadInt32BigEndian(payload.Slice(position));
            position += 4;
            if (length == -1)
            {
                _frame.Write([0xFF, 0xFF, 0xFF, 0xFF]);
                continue;
            }

            if (length < 0 || payload.Length - position < length)
            {
                return -1;
            }

            int lengthAt = _frame.Length;
            _frame.Write([0, 0, 0, 0]);
            hits += _redactor!.Redact(payload.Slice(position, length), _frame);
            BinaryPrimitives.WriteInt32BigEndian(_frame.WrittenSpanMutable.Slice(lengthAt), _frame.Length - lengthAt - 4);
            position += length;
        }

        _frame.Write(payload.Slice(position));
        return hits;
    }

    private void WriteRaw(int side, long time, ReadOnlySpan<byte> data)
    {
        if (_truncated || data.IsEmpty)
        {
            return;
        }

        int start = BeginRecord(RecordingFormat.Raw);
        Span<byte> prefix = _frame.GetSpan(RecordingFormat.RawPrefixLength);
        BinaryPrimitives.WriteInt64BigEndian(prefix, time);
        prefix[8] = (byte)side;
        _frame.Advance(RecordingFormat.RawPrefixLength);
        if (side == (int)PgSide.Frontend && _redactor is not null)
        {
            _redactor.Redact(data, _frame);
        }
        else
        {
            _frame.Write(data);
        }

        EndRecord(start);
    }

    private void WriteMalformed(int side, long time, long offset, string reason)
    {
        int start = BeginRecord(RecordingFormat.Malformed);
        Span<byte> prefix = _frame.GetSpan(17);
        BinaryPrimitives.WriteInt64BigEndian(prefix, time);
        prefix[8] = (byte)side;
        BinaryPrimitives.WriteInt64BigEndian(prefix.Slice(9), offset);
        _frame.Advance(17);
        _frame.Write(Encoding.UTF8.GetBytes(reason));
        EndRecord(start);
    }

    /// <summary>The end of the session: incomplete messages are reported, then the seal record.</summary>
    private void WriteEnd()
    {
        long now = Microseconds(_time.GetTimestamp());
        for (int side = 0; side < 2; side++)
        {
            Direction direction = _directions[side];
            if (!direction.Malformed && direction.HeaderFill > 0)
            {
                WriteMalformed(side, now, direction.MessageStart, "incomplete message at the end of the session");
            }
        }

        ChainPending();
        int start = BeginRecord(RecordingFormat.Seal);
        using (var json = new Utf8JsonWriter(_frame))
        {
            json.WriteStartObject();
            json.WriteString("closeReason"u8, _closeReason);
            json.WriteString("endedAt"u8, _time.GetUtcNow().UtcDateTime);
            json.WriteNumber("records"u8, _chain.Count);
            json.WriteString("chainHead"u8, Convert.ToHexStringLower(_chain.Head));
            json.WriteNumber("clientBytes"u8, _wireBytes[0]);
            json.WriteNumber("serverBytes"u8, _wireBytes[1]);
            json.WriteNumber("sessionBytesFromClient"u8, _sessionBytesFromClient);
            json.WriteNumber("sessionBytesFromServer"u8, _sessionBytesFromServer);
            json.WriteNumber("statements"u8, _statements);
            json.WriteBoolean("truncated"u8, _truncated);
            json.WriteStartObject("messages"u8);
            for (int i = 0; i < _counts.Length; i++)
            {
                if (_counts[i] != 0)
                {
                    json.WriteNumber((i < 256 ? "F " : "B ") + (char)(i & 0xFF), _counts[i]);
                }
            }

            json.WriteEndObject();
            json.WriteEndObject();
        }

        EndRecord(start);
    }

    private int BeginRecord(byte kind)
    {
        int start = _frame.Length;
        Span<byte> header = _frame.GetSpan(RecordingFormat.RecordHeaderLength);
        header[0] = kind;
        header.Slice(1, 4).Clear();
        _frame.Advance(RecordingFormat.RecordHeaderLength);
        return start;
    }

    private void EndRecord(int start)
    {
        Span<byte> record = _frame.WrittenSpanMutable.Slice(start);
        BinaryPrimitives.WriteInt32BigEndian(record.Slice(1), record.Length - RecordingFormat.RecordHeaderLength);
        _unchained++;
        if (_frame.Length >= _frameBytes)
        {
            EmitFrame();
        }
    }

    private void EndHeaderRecord(int start)
    {
        Span<byte> record = _frame.WrittenSpanMutable.Slice(start);
        BinaryPrimitives.WriteInt32BigEndian(record.Slice(1), record.Length - RecordingFormat.RecordHeaderLength);
        _chain.Start(record);
    }
}
