using Gateway.Core.Internal;

namespace Gateway.Core.Protocol.Postgres.Messages;

/// <summary>The Authentication* family ('R'): an int32 sub-code, then data that depends on it.</summary>
internal static class AuthenticationRequest
{
    public const int Ok = 0;
    public const int CleartextPassword = 3;
    public const int Md5Password = 5;
    public const int Sasl = 10;
    public const int SaslContinue = 11;
    public const int SaslFinal = 12;

    /// <summary>Returns the sub-code and the data after it; for MD5 the data is the 4-byte salt.</summary>
    public static int Parse(ReadOnlySpan<byte> payload, out ReadOnlySpan<byte> data)
    {
        var reader = new PgReader(payload);
        int kind = reader.ReadInt32();
        data = reader.ReadRemaining();
        bool valid = kind switch
        {
            Ok or CleartextPassword => data.IsEmpty,
            Md5Password => data.Length == 4,
            _ => true,
        };
        if (!valid)
        {
            ThrowHelper.ThrowProtocolViolation($"authentication request {kind} with a body of {data.Length} bytes");
        }

        return kind;
    }

    /// <summary>Reads the mechanism list of AuthenticationSASL: NUL-terminated names ending with an empty one.</summary>
    public static bool OffersMechanism(ReadOnlySpan<byte> data, ReadOnlySpan<byte> mechanism)
    {
        var reader = new PgReader(data);
        bool offered = false;
        while (true)
        {
            ReadOnlySpan<byte> name = reader.ReadCString();
            if (name.IsEmpty)
            {
                break;
            }

            offered |= name.SequenceEqual(mechanism);
        }

        reader.VerifyAtEnd();
        return offered;
    }
}
