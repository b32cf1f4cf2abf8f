using System.Text;

namespace Gateway.Core.Masking;

/// <summary>The data format of a COPY.</summary>
internal enum CopyFormat : byte
{
    Text,
    Csv,
    Binary,
}

/// <summary>
/// A COPY … TO STDOUT statement, parsed far enough to mask its output: the relation and column list (or that it
/// copies a query), the format and the options that shape the text (delimiter, quote, escape, NULL string,
/// header). Both the current <c>WITH (…)</c> option syntax and the old keyword syntax are read.
/// </summary>
internal sealed record CopyStatement(
    bool ToStdout,
    bool IsQuery,
    string? Schema,
    string? Relation,
    IReadOnlyList<string> Columns,
    CopyFormat Format,
    bool Header,
    byte Delimiter,
    byte Quote,
    byte Escape,
    string NullText)
{
    /// <summary>Parses a COPY statement; null when the text is not one (or is COPY … FROM).</summary>
    public static CopyStatement? Parse(ReadOnlySpan<byte> sql)
    {
        var lexer = new SqlLexer(sql);
        if (!SqlStatement.IsKeyword(sql, lexer.Next(), "copy"u8))
        {
            return null;
        }

        SqlToken token = lexer.Next();
        bool isQuery = false;
        string? schema = null;
        string? relation = null;
        var columns = new List<string>();
        if (IsSymbol(sql, token, '('))
        {
            isQuery = true;
            for (int depth = 1; depth > 0;)
            {
                token = lexer.Next();
                if (token.Kind == SqlTokenKind.End)
                {
                    return null;
                }

                depth += IsSymbol(sql, token, '(') ? 1 : IsSymbol(sql, token, ')') ? -1 : 0;
            }

            token = lexer.Next();
        }
        else
        {
            relation = Name(sql, token);
            token = lexer.Next();
            if (IsSymbol(sql, token, '.'))
            {
                schema = relation;
                relation = Name(sql, lexer.Next());
                token = lexer.Next();
            }

            if (IsSymbol(sql, token, '('))
            {
                for (token = lexer.Next(); token.Kind != SqlTokenKind.End && !IsSymbol(sql, token, ')'); token = lexer.Next())
                {
                    if (token.Kind is SqlTokenKind.Identifier or SqlTokenKind.QuotedIdentifier)
                    {
                        columns.Add(Name(sql, token)!);
                    }
                }

                token = lexer.Next();
            }
        }

        if (!SqlStatement.IsKeyword(sql, token, "to"u8))
        {
            return null;
        }

        bool toStdout = SqlStatement.IsKeyword(sql, lexer.Next(), "stdout"u8);
        CopyFormat format = CopyFormat.Text;
        bool header = false;
        byte delimiter = 0;
        byte quote = (byte)'"';
        byte escape = 0;
        string? nullText = null;
        SqlToken? pushedBack = null;
        while (true)
        {
            token = pushedBack ?? lexer.Next();
            pushedBack = null;
            if (token.Kind == SqlTokenKind.End)
            {
                break;
            }

            if (token.Kind != SqlTokenKind.Identifier)
            {
                continue;
            }

            if (SqlStatement.IsKeyword(sql, token, "format"u8))
            {
                SqlToken value = lexer.Next();
                format = SqlStatement.IsKeyword(sql, value, "csv"u8) ? CopyFormat.Csv : SqlStatement.IsKeyword(sql, value, "binary"u8) ? CopyFormat.Binary : CopyFormat.Text;
            }
            else if (SqlStatement.IsKeyword(sql, token, "csv"u8))
            {
                format = CopyFormat.Csv;
            }
            else if (SqlStatement.IsKeyword(sql, token, "binary"u8))
            {
                format = CopyFormat.Binary;
            }
            else if (SqlStatement.IsKeyword(sql, token, "header"u8))
            {
                // HEADER alone or HEADER true/on/1/match turns it on; HEADER false/off/0 off. Anything else is the
                // next option.
                header = true;
                SqlToken value = lexer.Next();
                if (SqlStatement.IsKeyword(sql, value, "false"u8) || SqlStatement.IsKeyword(sql, value, "off"u8)
                    || (value.Kind == SqlTokenKind.Number && value.Length == 1 && sql[value.Start] == '0'))
                {
                    header = false;
                }
                else if (!(SqlStatement.IsKeyword(sql, value, "true"u8) || SqlStatement.IsKeyword(sql, value, "on"u8)
                    || SqlStatement.IsKeyword(sql, value, "match"u8) || value.Kind == SqlTokenKind.Number))
                {
                    pushedBack = value;
                }
            }
            else if (SqlStatement.IsKeyword(sql, token, "delimiter"u8))
            {
                delimiter = FirstByte(sql, StringAfter(ref lexer, sql)) ?? delimiter;
            }
            else if (SqlStatement.IsKeyword(sql, token, "quote"u8))
            {
                quote = FirstByte(sql, StringAfter(ref lexer, sql)) ?? quote;
            }
            else if (SqlStatement.IsKeyword(sql, token, "escape"u8))
            {
                escape = FirstByte(sql, StringAfter(ref lexer, sql)) ?? escape;
            }
            else if (SqlStatement.IsKeyword(sql, token, "null"u8))
            {
                SqlToken value = StringAfter(ref lexer, sql);
                nullText = value.Kind == SqlTokenKind.String ? Encoding.UTF8.GetString(value.Text(sql)) : nullText;
            }
        }

        return new CopyStatement(
            toStdout, isQuery, schema, relation, columns, format, header,
            delimiter != 0 ? delimiter : format == CopyFormat.Csv ? (byte)',' : (byte)'\t',
            quote,
            escape != 0 ? escape : quote,
            nullText ?? (format == CopyFormat.Csv ? string.Empty : "\\N"));
    }

    private static SqlToken StringAfter(ref SqlLexer lexer, ReadOnlySpan<byte> sql)
    {
        SqlToken token = lexer.Next();
        return SqlStatement.IsKeyword(sql, token, "as"u8) ? lexer.Next() : token;
    }

    private static byte? FirstByte(ReadOnlySpan<byte> sql, SqlToken token)
        => token.Kind == SqlTokenKind.String && token.Length >= 1 ? sql[token.Start] : null;

    private static bool IsSymbol(ReadOnlySpan<byte> sql, SqlToken token, char symbol)
        => token.Kind == SqlTokenKind.Symbol && sql[token.Start] == symbol;

    /// <summary>An identifier as the catalog stores it: unquoted ones folded to lower case, quoted ones as written.</summary>
    private static string? Name(ReadOnlySpan<byte> sql, SqlToken token) => token.Kind switch
    {
        SqlTokenKind.Identifier => Encoding.UTF8.GetString(token.Text(sql)).ToLowerInvariant(),
        SqlTokenKind.QuotedIdentifier => Encoding.UTF8.GetString(token.Text(sql)).Replace("\"\"", "\"", StringComparison.Ordinal),
        _ => null,
    };
}
