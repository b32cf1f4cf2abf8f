using Gateway.Core.Internal;
using Gateway.Core.Protocol.Postgres;

namespace Gateway.Core.Masking;

/// <summary>What happens to one result column.</summary>
internal enum ColumnActionKind : byte
{
    /// <summary>Forwarded as it is.</summary>
    Pass,

    /// <summary>Forwarded, after the content detectors have replaced what they find.</summary>
    Scan,

    /// <summary>A number: NULL if it is a card or SSN number.</summary>
    CheckNumber,

    /// <summary>Replaced by its mask.</summary>
    Mask,
}

/// <summary>One column's action, type and format.</summary>
internal readonly record struct ColumnAction(ColumnActionKind Kind, PgTypeInfo Type, bool Binary, MaskStyle Style, int KeepLast, int Rule);

/// <summary>
/// How the rows of one result are masked, column by column, decided once per RowDescription (or per portal) by
/// the origin of each column: a protected (relation, attribute) is masked with its rule; a relation the catalog
/// does not know (a temporary table, a view created after the catalog was read) is masked, fail closed; a column
/// with no origin in a tainted statement is masked; anything else is scanned by the content detectors.
/// </summary>
internal sealed class RowPlan
{
    public const string ExpressionRule = "(expression in a statement that reads protected data)";
    public const string UnknownRelationRule = "(relation unknown to the catalog)";
    public const string WholeRowRule = "(whole row of a protected relation)";
    public const string UnparsedRule = "(result whose shape the gateway could not see)";

    private RowPlan(ColumnAction[] columns, string[] rules)
    {
        Columns = columns;
        Rules = rules;
        RuleCounts = new long[rules.Length];
        NeedsWork = columns.Any(column => column.Kind != ColumnActionKind.Pass);
    }

    public ColumnAction[] Columns { get; }

    /// <summary>The rule names the columns' <see cref="ColumnAction.Rule"/> index.</summary>
    public string[] Rules { get; }

    /// <summary>Values masked per rule by this plan, moved to the statistics when the result ends.</summary>
    public long[] RuleCounts { get; }

    /// <summary>False when every column passes untouched: rows are then forwarded without being read.</summary>
    public bool NeedsWork { get; }

    /// <summary>Rows masked under this plan, for statistics.</summary>
    public long Rows { get; set; }

    /// <summary>Values masked because their row could not be parsed into this plan's columns (COPY text).</summary>
    public long UnparsedValues { get; set; }

    /// <summary>
    /// Builds the plan of a RowDescription. <paramref name="resultFormats"/> are the format codes of the Bind (none,
    /// one for all, or one per column); with none, the description's own format codes apply.
    /// </summary>
    public static RowPlan Build(ReadOnlySpan<byte> rowDescription, ReadOnlySpan<short> resultFormats, bool tainted, MaskingCatalog catalog, ContentScanner scanner, Action<uint>? unknownRelation)
    {
        var reader = new PgReader(rowDescription);
        int count = reader.ReadInt16();
        if (count < 0)
        {
            ThrowHelper.ThrowProtocolViolation($"RowDescription with {count} fields");
        }

        var columns = new ColumnAction[count];
        var rules = new List<string>();
        for (int i = 0; i < count; i++)
        {
            reader.ReadCString();
            uint table = reader.ReadUInt32();
            short attribute = reader.ReadInt16();
            uint typeOid = reader.ReadUInt32();
            reader.ReadInt16();
            reader.ReadInt32();
            short format = reader.ReadInt16();
            if (resultFormats.Length == 1)
            {
                format = resultFormats[0];
            }
            else if (resultFormats.Length == count)
            {
                format = resultFormats[i];
            }

            columns[i] = Decide(table, attribute, catalog.TypeOf(typeOid), format == 1, tainted, catalog, scanner, rules, unknownRelation);
        }

        reader.VerifyAtEnd();
        return new RowPlan(columns, [.. rules]);
    }

    /// <summary>
    /// The plan of columns known by origin rather than from a RowDescription (a COPY of a table): relation, attribute
    /// and type per column, all in one format.
    /// </summary>
    public static RowPlan ForColumns(ReadOnlySpan<(uint Relation, short Attribute, uint Type)> origins, bool binary, MaskingCatalog catalog, ContentScanner scanner, Action<uint>? unknownRelation)
    {
        var columns = new ColumnAction[origins.Length];
        var rules = new List<string>();
        for (int i = 0; i < origins.Length; i++)
        {
            (uint relation, short attribute, uint typeOid) = origins[i];
            PgTypeInfo type = catalog.TypeOf(typeOid);
            columns[i] = Decide(relation, attribute, type, binary, tainted: false, catalog, scanner, rules, unknownRelation);
        }

        return new RowPlan(columns, [.. rules]);
    }

    /// <summary>A plan that only runs the detectors, over columns whose types are unknown (read as text).</summary>
    public static RowPlan ScanAll(int count, bool binary, ContentScanner scanner)
    {
        var columns = new ColumnAction[count];
        Array.Fill(columns, new ColumnAction(scanner.HasDetectors ? ColumnActionKind.Scan : ColumnActionKind.Pass, new PgTypeInfo(PgTypeKind.Text, default, 0), binary, default, 0, -1));
        return new RowPlan(columns, []);
    }

    /// <summary>
    /// A plan that masks every one of <paramref name="count"/> columns whose types are unknown: to NULL, or with
    /// <paramref name="asText"/> (COPY text and CSV, where every value is text) to the redaction text.
    /// </summary>
    public static RowPlan MaskAll(int count, string rule, bool asText = false)
    {
        var columns = new ColumnAction[count];
        PgTypeInfo type = new(asText ? PgTypeKind.Text : PgTypeKind.Other, default, 0);
        Array.Fill(columns, new ColumnAction(ColumnActionKind.Mask, type, false, asText ? MaskStyle.Redact : MaskStyle.Null, 0, 0));
        return new RowPlan(columns, [rule]);
    }

    private static ColumnAction Decide(uint table, short attribute, PgTypeInfo type, bool binary, bool tainted, MaskingCatalog catalog, ContentScanner scanner, List<string> rules, Action<uint>? unknownRelation)
    {
        string? rule = null;
        MaskStyle style = MaskStyle.Redact;
        int keepLast = 0;
        if (table != 0 && attribute > 0 && catalog.TryGetRule(table, attribute, out ColumnRule columnRule))
        {
            (rule, style, keepLast) = (columnRule.RuleName, columnRule.Style, columnRule.KeepLast);
        }
        else if (table != 0 && !catalog.Relations.ContainsKey(table))
        {
            rule = UnknownRelationRule;
            unknownRelation?.Invoke(table);
        }
        else if (table != 0 && attribute == 0 && catalog.ProtectedRelations.Contains(table))
        {
            rule = WholeRowRule;
        }
        else if (table == 0 && (tainted || catalog.Policy.MaskAllExpressions) && catalog.ProtectedColumnCount > 0)
        {
            rule = ExpressionRule;
        }

        if (rule is null)
        {
            return new ColumnAction(PassKind(type, scanner.HasDetectors, scanner), type, binary, default, 0, -1);
        }

        int index = rules.IndexOf(rule);
        if (index < 0)
        {
            index = rules.Count;
            rules.Add(rule);
        }

        return new ColumnAction(ColumnActionKind.Mask, type, binary, style, keepLast, index);
    }

    /// <summary>Moves this plan's counts to the session statistics.</summary>
    public void Flush(MaskingStatistics statistics)
    {
        for (int i = 0; i < Rules.Length; i++)
        {
            if (RuleCounts[i] > 0)
            {
                statistics.AddRule(Rules[i], RuleCounts[i]);
                RuleCounts[i] = 0;
            }
        }

        if (UnparsedValues > 0)
        {
            statistics.AddRule(UnparsedRule, UnparsedValues);
            UnparsedValues = 0;
        }

        statistics.CountRows(Rows);
        Rows = 0;
    }

    public static ColumnActionKind PassKind(PgTypeInfo type, bool detectors, ContentScanner scanner)
    {
        if (!detectors)
        {
            return ColumnActionKind.Pass;
        }

        return type.Kind switch
        {
            PgTypeKind.Text or PgTypeKind.Json or PgTypeKind.Jsonb or PgTypeKind.Xml or PgTypeKind.Record => ColumnActionKind.Scan,
            PgTypeKind.Array when type.Element is not PgTypeKind.Other => ColumnActionKind.Scan,
            PgTypeKind.Number when scanner.ChecksNumbers => ColumnActionKind.CheckNumber,
            _ => ColumnActionKind.Pass,
        };
    }
}
