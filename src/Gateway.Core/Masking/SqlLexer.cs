namespace Gateway.Core.Masking;

/// <summary>The kinds of token <see cref="SqlLexer"/> yields.</summary>
internal enum SqlTokenKind : byte
{
    End,
    Identifier,
    QuotedIdentifier,
    String,
    Number,
    Symbol,
}

/// <summary>One token: where it is in the statement (for a string, its content without quotes).</summary>
internal readonly record struct SqlToken(SqlTokenKind Kind, int Start, int Length)
{
    public ReadOnlySpan<byte> Text(ReadOnlySpan<byte> sql) => sql.Slice(Start, Length);
}

/// <summary>
/// A PostgreSQL lexer, just precise enough to tell identifiers, quoted identifiers, string literals (plain,
/// E'', U&amp;'' and dollar-quoted) and symbols apart, and to skip comments (nested block comments included), over
/// UTF-8 without allocating. It never fails: malformed text (an unterminated string) simply ends the statement,
/// and the unterminated part is still yielded as a string so that its words can be looked at.
/// </summary>
internal ref struct SqlLexer
{
    private readonly ReadOnlySpan<byte> _sql;
    private int _position;

    public SqlLexer(ReadOnlySpan<byte> sql)
    {
        _sql = sql;
        _position = 0;
    }

    public SqlToken Next()
    {
        SkipSpaceAndComments();
        if (_position >= _sql.Length)
        {
            return new SqlToken(SqlTokenKind.End, _sql.Length, 0);
        }

        byte c = _sql[_position];
        int start = _position;
        if (c == '\'')
        {
            return QuotedString(start + 1, backslashEscapes: false);
        }

        if ((c is (byte)'E' or (byte)'e') && Peek(1) == '\'')
        {
            return QuotedString(start + 2, backslashEscapes: true);
        }

        if ((c is (byte)'U' or (byte)'u') && Peek(1) == '&' && Peek(2) == '\'')
        {
            return QuotedString(start + 3, backslashEscapes: false);
        }

        if ((c is (byte)'B' or (byte)'b' or (byte)'X' or (byte)'x' or (byte)'N' or (byte)'n') && Peek(1) == '\'')
        {
            return QuotedString(start + 2, backslashEscapes: false);
        }

        if (c == '"')
        {
            return QuotedIdentifier(start + 1);
        }

        if ((c is (byte)'U' or (byte)'u') && Peek(1) == '&' && Peek(2) == '"')
        {
            return QuotedIdentifier(start + 3);
        }

        if (c == '$' && TryDollarQuote(out SqlToken dollar))
        {
            return dollar;
        }

        if (IsIdentifierStart(c))
        {
            _position++;
            while (_position < _sql.Length && IsIdentifierPart(_sql[_position]))
            {
                _position++;
            }

            return new SqlToken(SqlTokenKind.Identifier, start, _position - start);
        }

        if (c is >= (byte)'0' and <= (byte)'9')
        {
            while (_position < _sql.Length && (IsIdentifierPart(_sql[_position]) || _sql[_position] == '.'))
            {
                _position++;
            }

            return new SqlToken(SqlTokenKind.Number, start, _position - start);
        }

        _position++;
        return new SqlToken(SqlTokenKind.Symbol, start, 1);
    }

    /// <summary>ASCII letters, underscore and every byte of a multi-byte UTF-8 character, as PostgreSQL allows.</summary>
    public static bool IsIdentifierStart(byte c) => c is (>= (byte)'a' and <= (byte)'z') or (>= (byte)'A' and <= (byte)'Z') or (byte)'_' or >= 0x80;

    public static bool IsIdentifierPart(byte c) => IsIdentifierStart(c) || c is (>= (byte)'0' and <= (byte)'9') or (byte)'$';

    private readonly byte Peek(int offset) => _position + offset < _sql.Length ? _sql[_position + offset] : (byte)0;

    private void SkipSpaceAndComments()
    {
        while (_position < _sql.Length)
        {
            byte c = _sql[_position];
            if (c is (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\r' or (byte)'\f' or (byte)'\v')
            {
                _position++;
            }
            else if (c == '-' && Peek(1) == '-')
            {
                int end = _sql.Slice(_position).IndexOf((byte)'\n');
                _position = end < 0 ? _sql.Length : _position + end + 1;
            }
            else if (c == '/' && Peek(1) == '*')
            {
                // Block comments nest in PostgreSQL.
                int depth = 0;
                while (_position < _sql.Length)
                {
                    if (_sql[_position] == '/' && Peek(1) == '*')
                    {
                        depth++;
                        _position += 2;
                    }
                    else if (_sql[_position] == '*' && Peek(1) == '/')
                    {
                        depth--;
                        _position += 2;
                        if (depth == 0)
                        {
                            break;
                        }
                    }
                    else
                    {
                        _position++;
                    }
                }
            }
            else
            {
                return;
            }
        }
    }

    private SqlToken QuotedString(int contentStart, bool backslashEscapes)
    {
        _position = contentStart;
        while (_position < _sql.Length)
        {
            byte c = _sql[_position];
            if (backslashEscapes && c == '\\')
            {
                _position += 2;
                continue;
            }

            if (c == '\'')
            {
                if (Peek(1) == '\'')
                {
                    _position += 2;
                    continue;
                }

                var token = new SqlToken(SqlTokenKind.String, contentStart, _position - contentStart);
                _position++;
                return token;
            }

            _position++;
        }

        _position = _sql.Length;
        return new SqlToken(SqlTokenKind.String, contentStart, _sql.Length - contentStart);
    }

    private SqlToken QuotedIdentifier(int contentStart)
    {
        _position = contentStart;
        while (_position < _sql.Length)
        {
            if (_sql[_position] == '"')
            {
                if (Peek(1) == '"')
                {
                    _position += 2;
                    continue;
                }

                var token = new SqlToken(SqlTokenKind.QuotedIdentifier, contentStart, _position - contentStart);
                _position++;
                return token;
            }

            _position++;
        }

        _position = _sql.Length;
        return new SqlToken(SqlTokenKind.QuotedIdentifier, contentStart, _sql.Length - contentStart);
    }

    /// <summary>$tag$ … $tag$ (the tag may be empty); the body is yielded as a string.</summary>
    private bool TryDollarQuote(out SqlToken token)
    {
        token = default;
        int tagEnd = _position + 1;
        while (tagEnd < _sql.Length && _sql[tagEnd] != '$')
        {
            if (!IsIdentifierPart(_sql[tagEnd]) || (tagEnd == _position + 1 && _sql[tagEnd] is >= (byte)'0' and <= (byte)'9'))
            {
                return false;
            }

            tagEnd++;
        }

        if (tagEnd >= _sql.Length)
        {
            return false;
        }

        ReadOnlySpan<byte> tag = _sql.Slice(_position, tagEnd - _position + 1);
        int bodyStart = tagEnd + 1;
        int close = _sql.Slice(bodyStart).IndexOf(tag);
        int bodyEnd = close < 0 ? _sql.Length : bodyStart + close;
        _position = close < 0 ? _sql.Length : bodyEnd + tag.Length;
        token = new SqlToken(SqlTokenKind.String, bodyStart, bodyEnd - bodyStart);
        return true;
    }
}
