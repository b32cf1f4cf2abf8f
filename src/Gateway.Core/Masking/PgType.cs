namespace Gateway.Core.Masking;

/// <summary>
/// What masking needs to know about a column's type: whether its values are text (and can carry a replacement
/// text), JSON, a number a detector can check, an array of such, or something else (which becomes NULL when masked).
/// </summary>
internal enum PgTypeKind : byte
{
    /// <summary>Anything masking cannot rewrite in place: masked values become NULL.</summary>
    Other,

    /// <summary>text, varchar, bpchar, name, char, citext, enums, domains over them: UTF-8 in both formats.</summary>
    Text,

    /// <summary>json: UTF-8 text in both formats.</summary>
    Json,

    /// <summary>jsonb: UTF-8 text, preceded by a version byte (1) in binary format.</summary>
    Jsonb,

    /// <summary>xml: UTF-8 text in both formats.</summary>
    Xml,

    /// <summary>int2, int4, int8, numeric: digits a detector can check (card, SSN).</summary>
    Number,

    /// <summary>An array: its elements' kind is in <see cref="PgTypeInfo.Element"/>.</summary>
    Array,

    /// <summary>A composite (row) value.</summary>
    Record,
}

/// <summary>A type's kind and, for arrays, its element's kind and OID.</summary>
internal readonly record struct PgTypeInfo(PgTypeKind Kind, PgTypeKind Element, uint ElementOid)
{
    public bool IsTextual => Kind is PgTypeKind.Text or PgTypeKind.Json or PgTypeKind.Jsonb or PgTypeKind.Xml;
}

/// <summary>The built-in type OIDs (pg_type.dat); user types come from the catalog snapshot.</summary>
internal static class PgTypeOids
{
    public const uint Bool = 16;
    public const uint Bytea = 17;
    public const uint Char = 18;
    public const uint Name = 19;
    public const uint Int8 = 20;
    public const uint Int2 = 21;
    public const uint Int4 = 23;
    public const uint Text = 25;
    public const uint Oid = 26;
    public const uint Json = 114;
    public const uint Xml = 142;
    public const uint Float4 = 700;
    public const uint Float8 = 701;
    public const uint Unknown = 705;
    public const uint Bpchar = 1042;
    public const uint Varchar = 1043;
    public const uint Numeric = 1700;
    public const uint Record = 2249;
    public const uint Jsonb = 3802;
    public const uint TextArray = 1009;
    public const uint VarcharArray = 1015;
    public const uint BpcharArray = 1014;
    public const uint NameArray = 1003;
    public const uint JsonArray = 199;
    public const uint JsonbArray = 3807;
    public const uint XmlArray = 143;
    public const uint Int8Array = 1016;
    public const uint Int4Array = 1007;
    public const uint NumericArray = 1231;
}
