using System.Collections.Frozen;
using System.Globalization;

namespace Gateway.Core.Masking;

/// <summary>
/// A target's masking rules resolved against its catalog: protected columns as (relation OID, attribute number),
/// the views and materialized views that depend on them (transitively), the types of every column, and the names
/// whose mention taints a statement. RowDescription's table OID and attribute number then decide masking, so
/// aliases, subqueries, CTEs, cursors, prepared statements and RETURNING cannot get around it. Built by
/// <see cref="LoadAsync"/> from queries the host runs on a connection of its own.
/// </summary>
public sealed class MaskingCatalog
{
    /// <summary>Statements the host runs for <see cref="LoadAsync"/>; fully schema-qualified, so no search_path can redirect them.</summary>
    internal const string RelationsQuery = """
        SELECT c.oid::pg_catalog.int8, n.nspname, c.relname, c.relkind::pg_catalog.text, a.attnum::pg_catalog.int4, a.attname, a.atttypid::pg_catalog.int8
        FROM pg_catalog.pg_class c
        JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
        LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
        WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f') AND n.nspname NOT LIKE 'pg\_toast%' AND n.nspname NOT LIKE 'pg\_temp%'
        """;

    internal const string DependenciesQuery = """
        SELECT DISTINCT r.ev_class::pg_catalog.int8, d.refobjid::pg_catalog.int8, d.refobjsubid::pg_catalog.int4
        FROM pg_catalog.pg_depend d
        JOIN pg_catalog.pg_rewrite r ON r.oid = d.objid
        WHERE d.classid = 'pg_catalog.pg_rewrite'::pg_catalog.regclass
          AND d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass
          AND d.refobjid <> r.ev_class
        """;

    internal const string TypesQuery = """
        SELECT t.oid::pg_catalog.int8, t.typtype::pg_catalog.text, t.typcategory::pg_catalog.text, t.typelem::pg_catalog.int8, t.typbasetype::pg_catalog.int8
        FROM pg_catalog.pg_type t
        """;

    /// <summary>User functions' bodies: a function that reads a protected column taints every statement that calls it.</summary>
    internal const string FunctionsQuery = """
        SELECT p.proname, p.prosrc
        FROM pg_catalog.pg_proc p
        JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
        WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND p.prolang <> 13 AND p.prolang <> 12
        """;

    /// <summary>Planner statistics expose column values to anyone who may read the column (MASK-12).</summary>
    private static readonly (string View, string[] Columns)[] StatisticsViews =
    [
        ("pg_stats", ["most_common_vals", "histogram_bounds", "most_common_elems"]),
        ("pg_stats_ext", ["most_common_vals", "most_common_val_nulls"]),
        ("pg_stats_ext_exprs", ["most_common_vals", "histogram_bounds", "most_common_elems"]),
    ];

    private readonly FrozenDictionary<uint, PgTypeInfo> _types;
    private readonly ILookup<string, CatalogRelation> _byName;

    private MaskingCatalog(
        MaskingPolicy policy,
        FrozenDictionary<uint, CatalogRelation> relations,
        FrozenDictionary<long, ColumnRule> protectedColumns,
        FrozenSet<uint> protectedRelations,
        FrozenDictionary<uint, PgTypeInfo> types,
        FrozenSet<string> taintNames,
        IReadOnlyList<string> unresolved,
        DateTimeOffset loadedAt,
        ContentScanner scanner)
    {
        Policy = policy;
        Scanner = scanner;
        _byName = relations.Values.ToLookup(r => r.Name, StringComparer.Ordinal);
        Relations = relations;
        ProtectedColumns = protectedColumns;
        ProtectedRelations = protectedRelations;
        _types = types;
        TaintNames = taintNames;
        UnresolvedColumns = unresolved;
        LoadedAt = loadedAt;
    }

    /// <summary>The policy this catalog resolves.</summary>
    public MaskingPolicy Policy { get; }

    /// <summary>When the catalog was read.</summary>
    public DateTimeOffset LoadedAt { get; }

    /// <summary>Protected columns of the policy that no relation of the database has (misspelt, or dropped).</summary>
    public IReadOnlyList<string> UnresolvedColumns { get; }

    /// <summary>How many (relation, column) pairs are masked by origin, views included.</summary>
    public int ProtectedColumnCount => ProtectedColumns.Count;

    internal FrozenDictionary<uint, CatalogRelation> Relations { get; }

    internal FrozenDictionary<long, ColumnRule> ProtectedColumns { get; }

    /// <summary>Tables with a protected column, and every view or materialized view that depends on one.</summary>
    internal FrozenSet<uint> ProtectedRelations { get; }

    internal FrozenSet<string> TaintNames { get; }

    /// <summary>The policy's detectors, compiled once per policy and shared by every catalog loaded for it.</summary>
    internal ContentScanner Scanner { get; }

    /// <summary>
    /// Reads the catalog through <paramref name="query"/>, which runs one SQL statement and returns its rows as text
    /// (nulls as null).
    /// </summary>
    public static async Task<MaskingCatalog> LoadAsync(
        MaskingPolicy policy,
        Func<string, CancellationToken, Task<IReadOnlyList<string?[]>>> query,
        TimeProvider timeProvider,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(timeProvider);
        IReadOnlyList<string?[]> relationRows = await query(RelationsQuery, cancellationToken).ConfigureAwait(false);
        IReadOnlyList<string?[]> dependencyRows = await query(DependenciesQuery, cancellationToken).ConfigureAwait(false);
        IReadOnlyList<string?[]> typeRows = await query(TypesQuery, cancellationToken).ConfigureAwait(false);
        IReadOnlyList<string?[]> functionRows = await query(FunctionsQuery, cancellationToken).ConfigureAwait(false);
        return Build(policy, relationRows, dependencyRows, typeRows, timeProvider.GetUtcNow(), functionRows: functionRows);
    }

    /// <summary>Reads the catalog again for the same policy (after a schema change), keeping the compiled detectors.</summary>
    public async Task<MaskingCatalog> ReloadAsync(
        Func<string, CancellationToken, Task<IReadOnlyList<string?[]>>> query,
        TimeProvider timeProvider,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(timeProvider);
        IReadOnlyList<string?[]> relationRows = await query(RelationsQuery, cancellationToken).ConfigureAwait(false);
        IReadOnlyList<string?[]> dependencyRows = await query(DependenciesQuery, cancellationToken).ConfigureAwait(false);
        IReadOnlyList<string?[]> typeRows = await query(TypesQuery, cancellationToken).ConfigureAwait(false);
        IReadOnlyList<string?[]> functionRows = await query(FunctionsQuery, cancellationToken).ConfigureAwait(false);
        return Build(Policy, relationRows, dependencyRows, typeRows, timeProvider.GetUtcNow(), Scanner, functionRows);
    }

    /// <summary>
    /// The relation a COPY names. Without a schema, a name that several schemas hold resolves to none, so the COPY is
    /// masked whole (fail closed) rather than by the wrong relation's columns.
    /// </summary>
    internal CatalogRelation? FindRelation(string? schema, string name)
    {
        CatalogRelation? found = null;
        foreach (CatalogRelation relation in _byName[name])
        {
            if (schema is not null && relation.Schema != schema)
            {
                continue;
            }

            if (found is not null)
            {
                return null;
            }

            found = relation;
        }

        return found;
    }

    internal static MaskingCatalog Build(
        MaskingPolicy policy, IReadOnlyList<string?[]> relationRows, IReadOnlyList<string?[]> dependencyRows, IReadOnlyList<string?[]> typeRows, DateTimeOffset loadedAt,
        ContentScanner? scanner = null, IReadOnlyList<string?[]>? functionRows = null)
    {
        var relations = new Dictionary<uint, CatalogRelation>();
        foreach (string?[] row in relationRows)
        {
            uint oid = Oid(row[0]);
            if (!relations.TryGetValue(oid, out CatalogRelation? relation))
            {
                relation = new CatalogRelation(oid, row[1]!, row[2]!, row[3]![0], []);
                relations.Add(oid, relation);
            }

            if (row[4] is { } attnum)
            {
                relation.Attributes.Add(new CatalogAttribute(short.Parse(attnum, CultureInfo.InvariantCulture), row[5]!, Oid(row[6])));
            }
        }

        var protectedColumns = new Dictionary<long, ColumnRule>();
        var taint = new HashSet<string>(StringComparer.Ordinal);
        var unresolved = new List<string>();
        foreach (ProtectedColumn column in policy.Columns)
        {
            CatalogRelation? table = relations.Values.FirstOrDefault(r => r.Schema == column.Schema && r.Name == column.Table);
            CatalogAttribute? attribute = table?.Attributes.FirstOrDefault(a => a.Name == column.Column);
            if (table is null || attribute is null)
            {
                unresolved.Add(column.ToString());
                continue;
            }

            protectedColumns[Key(table.Oid, attribute.Number)] = new ColumnRule(column.Style, column.KeepLast, column.ToString(), column.Column);
            taint.Add(column.Column.ToLowerInvariant());
            taint.Add(column.Table.ToLowerInvariant());
        }

        var protectedRelations = new HashSet<uint>(protectedColumns.Keys.Select(key => (uint)(key >> 16)));

        // A view depending on a protected column (or on a whole protected relation) is protected: all its columns are
        // masked, each with the rule of a protected base column of the same name, else with the default. Views on
        // such views follow, until nothing changes.
        var dependencies = dependencyRows.Select(row => (View: Oid(row[0]), Relation: Oid(row[1]), Attribute: short.Parse(row[2]!, CultureInfo.InvariantCulture))).ToList();
        for (bool changed = true; changed;)
        {
            changed = false;
            foreach ((uint view, uint relation, short attribute) in dependencies)
            {
                if (protectedRelations.Contains(view) || !relations.TryGetValue(view, out CatalogRelation? viewRelation))
                {
                    continue;
                }

                bool dependsOnProtected = attribute == 0 ? protectedRelations.Contains(relation) : protectedColumns.ContainsKey(Key(relation, attribute));
                if (!dependsOnProtected)
                {
                    continue;
                }

                protectedRelations.Add(view);
                taint.Add(viewRelation.Name.ToLowerInvariant());
                foreach (CatalogAttribute viewColumn in viewRelation.Attributes)
                {
                    ColumnRule rule = protectedColumns.Values.FirstOrDefault(r => r.Column == viewColumn.Name) is { RuleName: not null } named
                        ? named with { RuleName = $"{named.RuleName} via {viewRelation.Schema}.{viewRelation.Name}" }
                        : new ColumnRule(MaskStyle.Redact, 0, $"{viewRelation.Schema}.{viewRelation.Name}.{viewColumn.Name}", viewColumn.Name);
                    protectedColumns[Key(view, viewColumn.Number)] = rule;
                }

                changed = true;
            }
        }

        // Functions whose body names a protected column or relation (or another such function) taint their callers:
        // SELECT my_report() has no origin to mask by, and its text does not name what the function reads.
        var functions = (functionRows ?? []).Select(row => (Name: row[0]!.ToLowerInvariant(), Body: row[1] ?? string.Empty)).ToList();
        for (bool changed = taint.Count > 0; changed;)
        {
            changed = false;
            foreach ((string name, string body) in functions)
            {
                if (!taint.Contains(name) && MentionsAny(body, taint))
                {
                    taint.Add(name);
                    changed = true;
                }
            }
        }

        if (policy.Columns.Count > 0)
        {
            foreach ((string view, string[] columns) in StatisticsViews)
            {
                CatalogRelation? statistics = relations.Values.FirstOrDefault(r => r.Schema == "pg_catalog" && r.Name == view);
                foreach (CatalogAttribute attribute in statistics?.Attributes.Where(a => columns.Contains(a.Name)) ?? [])
                {
                    protectedColumns[Key(statistics!.Oid, attribute.Number)] = new ColumnRule(MaskStyle.Null, 0, $"pg_catalog.{view}.{attribute.Name}", attribute.Name);
                    taint.Add(attribute.Name);
                }

                // most_common_vals::text has no origin left: naming the view taints the statement.
                taint.Add(view);
            }
        }

        return new MaskingCatalog(
            policy,
            relations.ToFrozenDictionary(),
            protectedColumns.ToFrozenDictionary(),
            protectedRelations.ToFrozenSet(),
            BuildTypes(typeRows),
            taint.ToFrozenSet(StringComparer.Ordinal),
            unresolved,
            loadedAt,
            scanner ?? new ContentScanner(policy.Detectors, policy.CustomDetectors));
    }

    private static bool MentionsAny(string body, HashSet<string> names)
    {
        foreach (System.Text.RegularExpressions.ValueMatch word in System.Text.RegularExpressions.Regex.EnumerateMatches(body, "[A-Za-z_][A-Za-z0-9_$]*"))
        {
            if (names.Contains(body.Substring(word.Index, word.Length).ToLowerInvariant()))
            {
                return true;
            }
        }

        return false;
    }

    internal static long Key(uint relation, short attribute) => ((long)relation << 16) | (ushort)attribute;

    internal PgTypeInfo TypeOf(uint oid) => _types.TryGetValue(oid, out PgTypeInfo info) ? info : BuiltInType(oid);

    internal bool TryGetRule(uint relation, short attribute, out ColumnRule rule) => ProtectedColumns.TryGetValue(Key(relation, attribute), out rule);

    private static FrozenDictionary<uint, PgTypeInfo> BuildTypes(IReadOnlyList<string?[]> rows)
    {
        var raw = rows.ToDictionary(row => Oid(row[0]), row => (Type: row[1]![0], Category: row[2]![0], Element: Oid(row[3]), Base: Oid(row[4])));
        var types = new Dictionary<uint, PgTypeInfo>();
        foreach (uint oid in raw.Keys)
        {
            types[oid] = Resolve(oid, 0);
        }

        return types.ToFrozenDictionary();

        PgTypeInfo Resolve(uint oid, int depth)
        {
            PgTypeInfo builtIn = BuiltInType(oid);
            if (builtIn.Kind != PgTypeKind.Other || !raw.TryGetValue(oid, out var type) || depth > 8)
            {
                return builtIn;
            }

            return type switch
            {
                { Type: 'd' } => Resolve(type.Base, depth + 1),
                { Type: 'e' } => new PgTypeInfo(PgTypeKind.Text, default, 0),
                { Type: 'c' } => new PgTypeInfo(PgTypeKind.Record, default, 0),
                { Category: 'A' } when type.Element != 0 => new PgTypeInfo(PgTypeKind.Array, Resolve(type.Element, depth + 1).Kind, type.Element),
                { Category: 'S' } => new PgTypeInfo(PgTypeKind.Text, default, 0),
                _ => builtIn,
            };
        }
    }

    private static PgTypeInfo BuiltInType(uint oid) => oid switch
    {
        PgTypeOids.Text or PgTypeOids.Varchar or PgTypeOids.Bpchar or PgTypeOids.Name or PgTypeOids.Char or PgTypeOids.Unknown => new(PgTypeKind.Text, default, 0),
        PgTypeOids.Json => new(PgTypeKind.Json, default, 0),
        PgTypeOids.Jsonb => new(PgTypeKind.Jsonb, default, 0),
        PgTypeOids.Xml => new(PgTypeKind.Xml, default, 0),
        PgTypeOids.Int2 or PgTypeOids.Int4 or PgTypeOids.Int8 or PgTypeOids.Numeric => new(PgTypeKind.Number, default, 0),
        PgTypeOids.Record => new(PgTypeKind.Record, default, 0),
        PgTypeOids.TextArray or PgTypeOids.VarcharArray or PgTypeOids.BpcharArray or PgTypeOids.NameArray
            => new(PgTypeKind.Array, PgTypeKind.Text, oid == PgTypeOids.VarcharArray ? PgTypeOids.Varchar : oid == PgTypeOids.BpcharArray ? PgTypeOids.Bpchar : oid == PgTypeOids.NameArray ? PgTypeOids.Name : PgTypeOids.Text),
        PgTypeOids.JsonArray => new(PgTypeKind.Array, PgTypeKind.Json, PgTypeOids.Json),
        PgTypeOids.JsonbArray => new(PgTypeKind.Array, PgTypeKind.Jsonb, PgTypeOids.Jsonb),
        PgTypeOids.XmlArray => new(PgTypeKind.Array, PgTypeKind.Xml, PgTypeOids.Xml),
        PgTypeOids.Int8Array or PgTypeOids.Int4Array or PgTypeOids.NumericArray => new(PgTypeKind.Array, PgTypeKind.Number, oid == PgTypeOids.Int8Array ? PgTypeOids.Int8 : oid == PgTypeOids.Int4Array ? PgTypeOids.Int4 : PgTypeOids.Numeric),
        _ => new(PgTypeKind.Other, default, 0),
    };

    private static uint Oid(string? text) => uint.Parse(text!, CultureInfo.InvariantCulture);
}

/// <summary>A relation of the catalog: its columns by attribute number.</summary>
internal sealed record CatalogRelation(uint Oid, string Schema, string Name, char Kind, List<CatalogAttribute> Attributes);

/// <summary>A column of a relation.</summary>
internal sealed record CatalogAttribute(short Number, string Name, uint TypeOid);

/// <summary>How one protected column is masked, the name statistics count it under, and the column's own name.</summary>
internal readonly record struct ColumnRule(MaskStyle Style, int KeepLast, string RuleName, string Column);
