using Gateway.Core.Internal;

namespace Gateway.Core.Protocol.Postgres.Messages;

/// <summary>CancelRequest: the request code, then the process id and secret key from BackendKeyData.</summary>
internal static class CancelRequest
{
    /// <summary>The packet length field of a protocol 3.0 CancelRequest.</summary>
    public const int PacketLength = 16;

    public static CancelKey Parse(ReadOnlySpan<byte> packet)
    {
        if (packet.Length != PacketLength - 4)
        {
            ThrowHelper.ThrowProtocolViolation($"CancelRequest of {packet.Length + 4} bytes; it is always {PacketLength}");
        }

        var reader = new PgReader(packet);
        reader.ReadInt32();
        return new CancelKey(reader.ReadInt32(), reader.ReadInt32());
    }
}
