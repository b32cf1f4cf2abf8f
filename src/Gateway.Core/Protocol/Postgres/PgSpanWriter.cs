using System.Buffers.Binary;
using System.Text;

namespace Gateway.Core.Protocol.Postgres;

/// <summary>Writes protocol fields into a span that the caller sized from the message's declared length.</summary>
internal ref struct PgSpanWriter
{
    private readonly Span<byte> _destination;
    private int _position;

    public PgSpanWriter(Span<byte> destination)
    {
        _destination = destination;
        _position = 0;
    }

    public readonly int Position => _position;

    public void WriteByte(byte value) => _destination[_position++] = value;

    public void WriteInt16(short value)
    {
        BinaryPrimitives.WriteInt16BigEndian(_destination.Slice(_position), value);
        _position += 2;
    }

    public void WriteInt32(int value)
    {
        BinaryPrimitives.WriteInt32BigEndian(_destination.Slice(_position), value);
        _position += 4;
    }

    public void WriteBytes(ReadOnlySpan<byte> value)
    {
        value.CopyTo(_destination.Slice(_position));
        _position += value.Length;
    }

    /// <summary>
    /// Writes a string as UTF-8 followed by NUL. An embedded NUL would end the field early and let the rest be read
    /// as further fields, so each one is written as a space; <see cref="CStringLength"/> counts the same bytes.
    /// </summary>
    public void WriteCString(string value)
    {
        int written = Encoding.UTF8.GetBytes(value, _destination.Slice(_position));
        _destination.Slice(_position, written).Replace((byte)0, (byte)' ');
        _position += written;
        _destination[_position++] = 0;
    }

    public void WriteCString(ReadOnlySpan<byte> value)
    {
        WriteBytes(value);
        _destination[_position++] = 0;
    }

    /// <summary>The bytes a string takes as a NUL-terminated UTF-8 field.</summary>
    public static int CStringLength(string value) => Encoding.UTF8.GetByteCount(value) + 1;
}
