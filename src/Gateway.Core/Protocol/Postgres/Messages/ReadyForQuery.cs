using Gateway.Core.Internal;

namespace Gateway.Core.Protocol.Postgres.Messages;

/// <summary>ReadyForQuery ('Z'): the server is idle; the byte gives the transaction status.</summary>
internal static class ReadyForQuery
{
    /// <summary>Not in a transaction block.</summary>
    public const byte Idle = (byte)'I';

    /// <summary>In a transaction block.</summary>
    public const byte InTransaction = (byte)'T';

    /// <summary>In a failed transaction block.</summary>
    public const byte Failed = (byte)'E';

    public static byte Parse(ReadOnlySpan<byte> payload)
    {
        var reader = new PgReader(payload);
        byte status = reader.ReadByte();
        reader.VerifyAtEnd();
        if (status is not (Idle or InTransaction or Failed))
        {
            ThrowHelper.ThrowProtocolViolation($"ReadyForQuery with unknown transaction status '{PgFormat.Code(status)}'");
        }

        return status;
    }
}
