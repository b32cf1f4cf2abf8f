using Gateway.Core.Protocol.Postgres;

namespace Gateway.Core.Tests.Protocol.Postgres;

/// <summary>One typed message as it travels on the wire, with the code the reader must report.</summary>
internal sealed record WireFixture(string Name, PgSide Side, byte Code, byte[] Bytes)
{
    /// <summary>The bytes after the type byte and the length field.</summary>
    public byte[] Payload => Bytes[PgFrameReader.HeaderLength..];

    public override string ToString() => Name;
}
