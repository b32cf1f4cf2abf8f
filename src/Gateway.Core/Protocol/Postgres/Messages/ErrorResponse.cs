using Gateway.Core.Internal;

namespace Gateway.Core.Protocol.Postgres.Messages;

/// <summary>
/// ErrorResponse ('E') and NoticeResponse ('N') share one layout: fields of a type byte and a NUL-terminated string,
/// ending with a zero byte. Only the fields the relay acts on are extracted; their text may carry row data and is
/// never logged.
/// </summary>
internal static class ErrorResponse
{
    public const byte SeverityLocalized = (byte)'S';
    public const byte Severity = (byte)'V';
    public const byte Code = (byte)'C';
    public const byte Message = (byte)'M';
    public const byte Detail = (byte)'D';

    private static readonly System.Buffers.SearchValues<byte> SqlStateCharacters =
        System.Buffers.SearchValues.Create("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"u8);

    /// <summary>Reads the non-localized severity (falling back to the localized one) and the SQLSTATE.</summary>
    public static void Parse(ReadOnlySpan<byte> payload, out ReadOnlySpan<byte> severity, out ReadOnlySpan<byte> sqlState)
    {
        var reader = new PgReader(payload);
        severity = default;
        sqlState = default;
        ReadOnlySpan<byte> localized = default;
        while (true)
        {
            byte field = reader.ReadByte();
            if (field == 0)
            {
                break;
            }

            ReadOnlySpan<byte> value = reader.ReadCString();
            switch (field)
            {
                case Severity: severity = value; break;
                case SeverityLocalized: localized = value; break;
                case Code: sqlState = value; break;
            }
        }

        reader.VerifyAtEnd();
        if (severity.IsEmpty)
        {
            severity = localized;
        }

        if (sqlState.Length != 5 || sqlState.ContainsAnyExcept(SqlStateCharacters))
        {
            ThrowHelper.ThrowProtocolViolation("error or notice without a valid SQLSTATE (five digits or capital letters)");
        }
    }

    /// <summary>True for FATAL and PANIC, after which the server closes the session.</summary>
    public static bool IsFatal(ReadOnlySpan<byte> severity)
        => severity.SequenceEqual("FATAL"u8) || severity.SequenceEqual("PANIC"u8);
}
