using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Text;
using Gateway.Core.Internal;

namespace Gateway.Core.Protocol.Postgres;

/// <summary>
/// Reads the fields of one framed message payload. Every read checks its bounds first and a read past the end is a
/// protocol violation, because both peers of a gateway are untrusted.
/// </summary>
internal ref struct PgReader
{
    private readonly ReadOnlySpan<byte> _payload;
    private int _position;

    public PgReader(ReadOnlySpan<byte> payload)
    {
        _payload = payload;
        _position = 0;
    }

    public readonly int Position => _position;

    public readonly int Remaining => _payload.Length - _position;

    public readonly bool IsAtEnd => _position == _payload.Length;

    public byte ReadByte()
    {
        VerifyRead(1);
        return _payload[_position++];
    }

    public short ReadInt16()
    {
        VerifyRead(2);
        short value = BinaryPrimitives.ReadInt16BigEndian(_payload.Slice(_position));
        _position += 2;
        return value;
    }

    public int ReadInt32()
    {
        VerifyRead(4);
        int value = BinaryPrimitives.ReadInt32BigEndian(_payload.Slice(_position));
        _position += 4;
        return value;
    }

    public uint ReadUInt32()
    {
        VerifyRead(4);
        uint value = BinaryPrimitives.ReadUInt32BigEndian(_payload.Slice(_position));
        _position += 4;
        return value;
    }

    /// <summary>Reads <paramref name="count"/> raw bytes.</summary>
    public ReadOnlySpan<byte> ReadBytes(int count)
    {
        if (count < 0)
        {
            ThrowHelper.ThrowProtocolViolation($"negative byte count {count} at offset {_position}");
        }

        VerifyRead(count);
        ReadOnlySpan<byte> value = _payload.Slice(_position, count);
        _position += count;
        return value;
    }

    /// <summary>Reads a NUL-terminated string and returns its bytes without the terminator.</summary>
    public ReadOnlySpan<byte> ReadCString()
    {
        int end = _payload.Slice(_position).IndexOf((byte)0);
        if (end < 0)
        {
            ThrowHelper.ThrowUnterminatedString(_position);
        }

        ReadOnlySpan<byte> value = _payload.Slice(_position, end);
        _position += end + 1;
        return value;
    }

    /// <summary>Reads a NUL-terminated string as UTF-8; invalid sequences are a violation, not replaced.</summary>
    public string ReadCStringUtf8()
    {
        int start = _position;
        ReadOnlySpan<byte> bytes = ReadCString();
        if (!System.Text.Unicode.Utf8.IsValid(bytes))
        {
            ThrowHelper.ThrowProtocolViolation($"the string at offset {start} is not valid UTF-8");
        }

        return Encoding.UTF8.GetString(bytes);
    }

    public ReadOnlySpan<byte> ReadRemaining()
    {
        ReadOnlySpan<byte> value = _payload.Slice(_position);
        _position = _payload.Length;
        return value;
    }

    /// <summary>Fails unless every byte of the payload was read; trailing bytes are a sign of smuggling.</summary>
    public readonly void VerifyAtEnd()
    {
        if (_position != _payload.Length)
        {
            ThrowHelper.ThrowProtocolViolation(
                $"{_payload.Length - _position} unexpected trailing bytes after offset {_position}");
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private readonly void VerifyRead(int count)
    {
        if ((uint)count > (uint)(_payload.Length - _position))
        {
            ThrowHelper.ThrowFieldPastEnd(_position, count, _payload.Length);
        }
    }
}
