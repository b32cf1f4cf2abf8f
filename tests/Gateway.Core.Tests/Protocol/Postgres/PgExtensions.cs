using Gateway.Core.Protocol.Postgres;
using Gateway.Testing;

namespace Gateway.Core.Tests.Protocol.Postgres;

internal static class PgExtensions
{
    /// <summary>The payload of the single typed message built: the bytes after the type byte and the length.</summary>
    public static byte[] PayloadBytes(this Pg message) => message.ToArray().AsSpan(PgFrameReader.HeaderLength).ToArray();

    /// <summary>The startup packet as the frame reader hands it over: the bytes after the length field.</summary>
    public static byte[] PacketBytes(this Pg packet) => packet.ToArray().AsSpan(4).ToArray();
}
