using Gateway.Core.Internal;

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

    /// <summary>
    /// The same checks as <see cref="Parse"/> (two NUL-terminated UTF-8 strings and nothing after them), without
    /// decoding: the login relays the server's parameters as they are and only looks for one name.
    /// </summary>
    public static bool IsNamed(ReadOnlySpan<byte> payload, ReadOnlySpan<byte> name)
    {
        var reader = new PgReader(payload);
        ReadUtf8(ref reader);
        int nameLength = reader.Position - 1;
        ReadUtf8(ref reader);
        reader.VerifyAtEnd();
        return payload.Slice(0, nameLength).SequenceEqual(name);
    }

    private static void ReadUtf8(ref PgReader reader)
    {
        int start = reader.Position;
        if (!System.Text.Unicode.Utf8.IsValid(reader.ReadCString()))
        {
            ThrowHelper.ThrowProtocolViolation($"the string at offset {start} is not valid UTF-8");
        }
    }
}
