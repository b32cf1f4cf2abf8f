using Gateway.Core.Internal;

namespace Gateway.Core.Protocol.Postgres.Messages;

/// <summary>SASLInitialResponse ('p' during SASL): the mechanism name, then int32 length and the client-first message.</summary>
internal static class SaslInitialResponse
{
    public static ReadOnlySpan<byte> Parse(ReadOnlySpan<byte> payload, out ReadOnlySpan<byte> mechanism)
    {
        var reader = new PgReader(payload);
        mechanism = reader.ReadCString();
        int length = reader.ReadInt32();
        if (length < 0)
        {
            ThrowHelper.ThrowProtocolViolation($"SASLInitialResponse with data length {length}");
        }

        ReadOnlySpan<byte> data = reader.ReadBytes(length);
        reader.VerifyAtEnd();
        return data;
    }
}
