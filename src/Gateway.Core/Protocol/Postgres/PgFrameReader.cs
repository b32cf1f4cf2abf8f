using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using Gateway.Core.Internal;

namespace Gateway.Core.Protocol.Postgres;

/// <summary>
/// Frames PostgreSQL messages out of a <see cref="ReadOnlySequence{T}"/>. It checks a message's type byte and its
/// declared length before waiting for the body, so that a bogus length can never make the caller buffer it, and it
/// slices payloads without copying.
/// </summary>
internal static class PgFrameReader
{
    /// <summary>Type byte plus the big-endian int32 length.</summary>
    public const int HeaderLength = 5;

    /// <summary>PostgreSQL's MAX_STARTUP_PACKET_LENGTH; the gateway enforces the same bound.</summary>
    public const int MaxStartupPacketLength = 10_000;

    /// <summary>The smallest startup packet: length plus a request code.</summary>
    public const int MinStartupPacketLength = 8;

    /// <summary>
    /// Reads and validates the header of the next typed message. Returns false while fewer than five bytes are
    /// buffered. <paramref name="length"/> is the length field's value, which counts itself but not the type byte.
    /// </summary>
    /// <exception cref="PgProtocolException">The code is not one <paramref name="side"/> sends, or the length is invalid.</exception>
    public static bool TryReadHeader(in ReadOnlySequence<byte> buffer, PgSide side, int maxMessageSize, out byte code, out int length)
    {
        ReadOnlySpan<byte> first = buffer.FirstSpan;
        if (first.Length >= HeaderLength)
        {
            code = first[0];
            length = BinaryPrimitives.ReadInt32BigEndian(first.Slice(1));
        }
        else if (buffer.Length >= HeaderLength)
        {
            Span<byte> header = stackalloc byte[HeaderLength];
            buffer.Slice(0, HeaderLength).CopyTo(header);
            code = header[0];
            length = BinaryPrimitives.ReadInt32BigEndian(header.Slice(1));
        }
        else
        {
            code = 0;
            length = 0;
            return false;
        }

        Validate(side, code, length, maxMessageSize);
        return true;
    }

    /// <summary>
    /// Reads the next whole typed message, advancing <paramref name="buffer"/> past it. Returns false, leaving the
    /// buffer untouched, while the message is incomplete.
    /// </summary>
    public static bool TryReadFrame(ref ReadOnlySequence<byte> buffer, PgSide side, int maxMessageSize, out byte code, out ReadOnlySequence<byte> payload)
    {
        if (!TryReadHeader(buffer, side, maxMessageSize, out code, out int length) || buffer.Length - 1 < length)
        {
            payload = default;
            return false;
        }

        payload = buffer.Slice(HeaderLength, length - 4);
        buffer = buffer.Slice(payload.End);
        return true;
    }

    /// <summary>
    /// Reads a whole startup-phase packet (StartupMessage, SSLRequest, GSSENCRequest, CancelRequest), which has no
    /// type byte. <paramref name="packet"/> is everything after the length field, starting with the request code.
    /// </summary>
    public static bool TryReadStartupPacket(ref ReadOnlySequence<byte> buffer, out ReadOnlySequence<byte> packet)
    {
        packet = default;
        if (buffer.Length < 4)
        {
            return false;
        }

        int length = ReadInt32(buffer);
        if (length < MinStartupPacketLength || length > MaxStartupPacketLength)
        {
            ThrowHelper.ThrowProtocolViolation($"invalid startup packet length {length}");
        }

        if (buffer.Length < length)
        {
            return false;
        }

        packet = buffer.Slice(4, length - 4);
        buffer = buffer.Slice(packet.End);
        return true;
    }

    /// <summary>Checks a header's code and length for <paramref name="side"/>; throws <see cref="PgProtocolException"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Validate(PgSide side, byte code, int length, int maxMessageSize)
    {
        sbyte rule = PgMessageRules.Lookup(side, code);
        if (rule == PgMessageRules.Variable && (uint)(length - 4) <= (uint)(maxMessageSize - 4))
        {
            return;
        }

        if (rule > 0 && length == rule)
        {
            return;
        }

        ThrowInvalid(side, code, length, maxMessageSize, rule);
    }

    private static void ThrowInvalid(PgSide side, byte code, int length, int maxMessageSize, sbyte rule)
    {
        if (rule == PgMessageRules.Unknown)
        {
            ThrowHelper.ThrowProtocolViolation($"unknown {(side == PgSide.Frontend ? "frontend" : "backend")} message type '{PgFormat.Code(code)}'");
        }

        if (length < 4)
        {
            ThrowHelper.ThrowProtocolViolation($"message '{PgFormat.Code(code)}' declares length {length}, below the minimum of 4");
        }

        if (rule > 0)
        {
            ThrowHelper.ThrowProtocolViolation($"message '{PgFormat.Code(code)}' declares length {length}; it is always {rule}");
        }

        ThrowHelper.ThrowMessageTooLarge(code, length, maxMessageSize);
    }

    private static int ReadInt32(in ReadOnlySequence<byte> buffer)
    {
        ReadOnlySpan<byte> first = buffer.FirstSpan;
        if (first.Length >= 4)
        {
            return BinaryPrimitives.ReadInt32BigEndian(first);
        }

        Span<byte> bytes = stackalloc byte[4];
        buffer.Slice(0, 4).CopyTo(bytes);
        return BinaryPrimitives.ReadInt32BigEndian(bytes);
    }
}
