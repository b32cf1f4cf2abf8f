namespace Gateway.Core.Masking;

/// <summary>A column whose values never leave the gateway as they are, whatever the query calls them.</summary>
/// <param name="Schema">The table's schema, as stored in the catalog (usually lower case).</param>
/// <param name="Table">The table.</param>
/// <param name="Column">The column.</param>
/// <param name="Style">How its values are replaced.</param>
public sealed record ProtectedColumn(string Schema, string Table, string Column, MaskStyle Style = MaskStyle.Redact)
{
    /// <summary>With <see cref="MaskStyle.Partial"/>: how many trailing characters stay visible.</summary>
    public int KeepLast { get; init; } = 4;

    /// <summary>schema.table.column.</summary>
    public override string ToString() => $"{Schema}.{Table}.{Column}";
}
