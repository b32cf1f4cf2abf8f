namespace Gateway.Core.Protocol.Postgres.Messages;

/// <summary>BackendKeyData ('K'): the process id and secret key a client needs to cancel a query.</summary>
internal static class BackendKeyData
{
    public static CancelKey Parse(ReadOnlySpan<byte> payload)
    {
        var reader = new PgReader(payload);
        var key = new CancelKey(reader.ReadInt32(), reader.ReadInt32());
        reader.VerifyAtEnd();
        return key;
    }
}
