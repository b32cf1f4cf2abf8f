namespace Gateway.Core.Protocol.Postgres;

/// <summary>
/// Which type bytes each side may send, and the fixed length of the messages that have one. Checked for every
/// frame, in Release builds, before the body is buffered.
/// </summary>
internal static class PgMessageRules
{
    /// <summary>Marks a code that the side never sends.</summary>
    public const sbyte Unknown = -1;

    /// <summary>Marks a code whose messages carry a body of any length.</summary>
    public const sbyte Variable = 0;

    private static readonly sbyte[] FrontendTable = CreateFrontend();
    private static readonly sbyte[] BackendTable = CreateBackend();

    /// <summary>
    /// For a code sent by <paramref name="side"/>: <see cref="Unknown"/>, <see cref="Variable"/> or the exact value
    /// of the length field.
    /// </summary>
    public static sbyte Lookup(PgSide side, byte code)
        => side == PgSide.Frontend ? FrontendTable[code] : BackendTable[code];

    private static sbyte[] CreateFrontend()
    {
        sbyte[] table = NewTable();
        foreach (FrontendCode code in Enum.GetValues<FrontendCode>())
        {
            table[(byte)code] = Variable;
        }

        table[(byte)FrontendCode.CopyDone] = 4;
        table[(byte)FrontendCode.Flush] = 4;
        table[(byte)FrontendCode.Sync] = 4;
        table[(byte)FrontendCode.Terminate] = 4;
        return table;
    }

    private static sbyte[] CreateBackend()
    {
        sbyte[] table = NewTable();
        foreach (BackendCode code in Enum.GetValues<BackendCode>())
        {
            table[(byte)code] = Variable;
        }

        table[(byte)BackendCode.ParseComplete] = 4;
        table[(byte)BackendCode.BindComplete] = 4;
        table[(byte)BackendCode.CloseComplete] = 4;
        table[(byte)BackendCode.CopyDone] = 4;
        table[(byte)BackendCode.EmptyQueryResponse] = 4;
        table[(byte)BackendCode.NoData] = 4;
        table[(byte)BackendCode.PortalSuspended] = 4;
        table[(byte)BackendCode.BackendKeyData] = 12;
        table[(byte)BackendCode.ReadyForQuery] = 5;
        return table;
    }

    private static sbyte[] NewTable()
    {
        var table = new sbyte[256];
        Array.Fill(table, Unknown);
        return table;
    }
}
