namespace Gateway.Core.Masking;

/// <summary>
/// What masking keeps of a Bind: the statement it runs, the result formats it asked for and — once known — the plan
/// of its rows, from a Describe of the portal or of its statement.
/// </summary>
internal sealed class Portal(PreparedStatement? statement, short[] resultFormats)
{
    /// <summary>Null when the Bind named a statement this session never parsed (the server will refuse it).</summary>
    public PreparedStatement? Statement { get; } = statement;

    public short[] ResultFormats { get; } = resultFormats;

    public bool Tainted => Statement?.Tainted ?? true;

    /// <summary>The client asked for a Describe of this portal (client side).</summary>
    public bool DescribeRequested { get; set; }

    /// <summary>The plan of its rows once known (server side).</summary>
    public RowPlan? Plan { get; set; }
}
