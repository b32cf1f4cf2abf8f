namespace Gateway.Core.Masking;

/// <summary>
/// What masking keeps of a Parse: whether its text is tainted, the COPY it is (if any), and — once a Describe of it
/// has been answered — its RowDescription. The client's pump sets the first fields, the server's pump the last.
/// </summary>
internal sealed class PreparedStatement(bool tainted, CopyStatement? copy)
{
    public bool Tainted { get; } = tainted;

    public CopyStatement? Copy { get; } = copy;

    /// <summary>The client asked for a Describe of this statement (client side).</summary>
    public bool DescribeRequested { get; set; }

    /// <summary>The answered RowDescription payload, empty for NoData, null until answered (server side).</summary>
    public byte[]? RowDescription { get; set; }
}
