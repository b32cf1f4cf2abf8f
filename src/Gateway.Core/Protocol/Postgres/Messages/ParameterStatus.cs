namespace Gateway.Core.Protocol.Postgres.Messages;

/// <summary>ParameterStatus ('S'): a run-time parameter's name and current value.</summary>
internal static class ParameterStatus
{
    public static KeyValuePair<string, string> Parse(ReadOnlySpan<byte> payload)
    {
        var reader = new PgReader(payload);
        string name = reader.ReadCStringUtf8();
        string value = reader.ReadCStringUtf8();
        reader.VerifyAtEnd();
        return new KeyValuePair<string, string>(name, value);
    }
}
