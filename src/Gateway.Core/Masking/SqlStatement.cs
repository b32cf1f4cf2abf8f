namespace Gateway.Core.Masking;

/// <summary>
/// What masking needs to know about a statement's text: whether it mentions a tainting name anywhere (identifiers,
/// quoted identifiers, and words inside string literals and dollar-quoted bodies, which is where
/// <c>query_to_xml('select … from customers')</c> and DO blocks hide them), and which names it defines (DECLARE,
/// PREPARE, CREATE … VIEW/TABLE, SELECT … INTO, INSERT INTO), so that a tainted statement taints what it creates.
/// </summary>
internal static class SqlStatement
{
    /// <summary>Decides whether the statement is tainted, and if it is, adds the names it defines to the session's.</summary>
    public static bool Analyze(ReadOnlySpan<byte> sql, TaintNames names)
    {
        if (names.IsEmpty)
        {
            return false;
        }

        bool tainted = false;
        var lexer = new SqlLexer(sql);
        for (SqlToken token = lexer.Next(); token.Kind != SqlTokenKind.End; token = lexer.Next())
        {
            tainted = token.Kind switch
            {
                SqlTokenKind.Identifier or SqlTokenKind.QuotedIdentifier => names.Contains(token.Text(sql)),
                SqlTokenKind.String => ContainsTaintingWord(token.Text(sql), names),
                _ => false,
            };
            if (tainted)
            {
                break;
            }
        }

        if (tainted)
        {
            DefineNames(sql, names);
        }

        return tainted;
    }

    private static bool ContainsTaintingWord(ReadOnlySpan<byte> text, TaintNames names)
    {
        int i = 0;
        while (i < text.Length)
        {
            while (i < text.Length && !SqlLexer.IsIdentifierStart(text[i]))
            {
                i++;
            }

            int start = i;
            while (i < text.Length && SqlLexer.IsIdentifierPart(text[i]))
            {
                i++;
            }

            if (i > start && names.Contains(text.Slice(start, i - start)))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Finds the names the statement defines and adds them to the session's tainting names.</summary>
    private static void DefineNames(ReadOnlySpan<byte> sql, TaintNames names)
    {
        var lexer = new SqlLexer(sql);
        SqlToken previous = default;
        SqlToken beforePrevious = default;
        for (SqlToken token = lexer.Next(); token.Kind != SqlTokenKind.End; token = lexer.Next())
        {
            if (IsKeyword(sql, previous, "declare"u8) || IsKeyword(sql, previous, "prepare"u8))
            {
                AddName(sql, token, names);
            }
            else if ((IsKeyword(sql, previous, "view"u8) || IsKeyword(sql, previous, "table"u8))
                && !IsKeyword(sql, token, "if"u8))
            {
                AddQualifiedName(ref lexer, sql, token, names);
            }
            else if (IsKeyword(sql, previous, "exists"u8) && IsKeyword(sql, beforePrevious, "not"u8))
            {
                AddQualifiedName(ref lexer, sql, token, names);
            }
            else if ((IsKeyword(sql, previous, "into"u8) || IsKeyword(sql, previous, "temp"u8) || IsKeyword(sql, previous, "temporary"u8)
                    || IsKeyword(sql, previous, "unlogged"u8))
                && !IsKeyword(sql, token, "temp"u8) && !IsKeyword(sql, token, "temporary"u8) && !IsKeyword(sql, token, "unlogged"u8)
                && !IsKeyword(sql, token, "table"u8) && !IsKeyword(sql, token, "view"u8) && !IsKeyword(sql, token, "sequence"u8))
            {
                AddQualifiedName(ref lexer, sql, token, names);
            }

            beforePrevious = previous;
            previous = token;
        }
    }

    /// <summary>Adds the last part of schema.name (the relation's own name).</summary>
    private static void AddQualifiedName(ref SqlLexer lexer, ReadOnlySpan<byte> sql, SqlToken first, TaintNames names)
    {
        SqlToken name = first;
        AddName(sql, name, names);
        SqlToken next = lexer.Next();
        if (next.Kind == SqlTokenKind.Symbol && sql[next.Start] == '.')
        {
            AddName(sql, lexer.Next(), names);
        }
    }

    private static void AddName(ReadOnlySpan<byte> sql, SqlToken token, TaintNames names)
    {
        if (token.Kind is SqlTokenKind.Identifier or SqlTokenKind.QuotedIdentifier)
        {
            names.AddSessionName(token.Text(sql));
        }
    }

    public static bool IsKeyword(ReadOnlySpan<byte> sql, SqlToken token, ReadOnlySpan<byte> lowerKeyword)
    {
        if (token.Kind != SqlTokenKind.Identifier || token.Length != lowerKeyword.Length)
        {
            return false;
        }

        ReadOnlySpan<byte> text = token.Text(sql);
        for (int i = 0; i < text.Length; i++)
        {
            if ((text[i] | 0x20) != lowerKeyword[i])
            {
                return false;
            }
        }

        return true;
    }
}
