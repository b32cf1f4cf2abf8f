using Gateway.Core.Internal;

namespace Gateway.Core.Protocol.Postgres.Messages;

/// <summary>
/// StartupMessage: the protocol version, then name/value string pairs ending with an empty name. Parameter names
/// and values must be UTF-8, names may not repeat and may not be empty, and no value may be missing.
/// </summary>
internal static class StartupMessage
{
    /// <summary>Parses a startup packet's payload (after the length) whose code is a protocol version.</summary>
    public static StartupParameters Parse(ReadOnlySpan<byte> packet, out int protocolVersion)
    {
        var reader = new PgReader(packet);
        protocolVersion = reader.ReadInt32();
        var parameters = new List<KeyValuePair<string, string>>();
        while (true)
        {
            int offset = reader.Position;
            string name = reader.ReadCStringUtf8();
            if (name.Length == 0)
            {
                break;
            }

            if (reader.IsAtEnd)
            {
                ThrowHelper.ThrowProtocolViolation($"startup parameter at offset {offset} has no value");
            }

            string value = reader.ReadCStringUtf8();
            foreach (KeyValuePair<string, string> existing in parameters)
            {
                if (string.Equals(existing.Key, name, StringComparison.Ordinal))
                {
                    ThrowHelper.ThrowProtocolViolation($"startup parameter at offset {offset} repeats an earlier name");
                }
            }

            parameters.Add(new KeyValuePair<string, string>(name, value));
        }

        reader.VerifyAtEnd();
        return new StartupParameters(parameters);
    }
}
