using System.Globalization;

namespace Gateway.Core.Protocol.Postgres;

/// <summary>Formats protocol values for diagnostics without ever echoing payload bytes.</summary>
internal static class PgFormat
{
    /// <summary>A message code as its letter when printable, else as hex.</summary>
    public static string Code(byte code)
        => code is >= 0x21 and < 0x7F
            ? ((char)code).ToString()
            : "0x" + code.ToString("X2", CultureInfo.InvariantCulture);
}
