using Gateway.Core.Internal;

namespace Gateway.Core.Protocol.Postgres.Messages;

/// <summary>
/// NegotiateProtocolVersion ('v'): the newest minor version the server supports for the requested major version,
/// and the protocol options (<c>_pq_.</c> parameters) it did not recognise.
/// </summary>
internal static class NegotiateProtocolVersion
{
    public static int Parse(ReadOnlySpan<byte> payload, out int unrecognizedOptions)
    {
        var reader = new PgReader(payload);
        int version = reader.ReadInt32();
        unrecognizedOptions = reader.ReadInt32();
        if (unrecognizedOptions < 0)
        {
            ThrowHelper.ThrowProtocolViolation($"NegotiateProtocolVersion with {unrecognizedOptions} options");
        }

        for (int i = 0; i < unrecognizedOptions; i++)
        {
            reader.ReadCString();
        }

        reader.VerifyAtEnd();
        return version;
    }
}
