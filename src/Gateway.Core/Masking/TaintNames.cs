using System.Collections.Frozen;
using System.Text;

namespace Gateway.Core.Masking;

/// <summary>
/// The names whose mention taints a statement: protected columns, the tables that hold them, the views that depend
/// on them (from the catalog), and the cursors, prepared statements and relations a tainted statement of this
/// session defined. Compared in lower case, so quoted names that differ only in case also match (fail closed).
/// </summary>
internal sealed class TaintNames
{
    private FrozenSet<string>.AlternateLookup<ReadOnlySpan<char>> _catalog;
    private readonly HashSet<string> _session = new(StringComparer.Ordinal);
    private HashSet<string>.AlternateLookup<ReadOnlySpan<char>> _sessionLookup;

    public TaintNames(FrozenSet<string> catalog)
    {
        _catalog = catalog.GetAlternateLookup<ReadOnlySpan<char>>();
        _sessionLookup = _session.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    /// <summary>Switches to a reloaded catalog's names, keeping the ones this session defined.</summary>
    public void UseCatalog(FrozenSet<string> catalog) => _catalog = catalog.GetAlternateLookup<ReadOnlySpan<char>>();

    public bool IsEmpty => _catalog.Set.Count == 0 && _session.Count == 0;

    /// <summary>True when the UTF-8 word, folded to lower case, is a tainting name.</summary>
    public bool Contains(ReadOnlySpan<byte> word)
    {
        if (word.IsEmpty || word.Length > 255)
        {
            return false;
        }

        Span<char> lower = stackalloc char[256];
        int length = Encoding.UTF8.GetChars(word, lower);
        for (int i = 0; i < length; i++)
        {
            lower[i] = char.ToLowerInvariant(lower[i]);
        }

        ReadOnlySpan<char> name = lower.Slice(0, length);
        return _catalog.Contains(name) || (_session.Count > 0 && _sessionLookup.Contains(name));
    }

    /// <summary>Remembers a name a tainted statement defined (a cursor, a prepared statement, a new relation).</summary>
    public void AddSessionName(ReadOnlySpan<byte> name)
    {
        if (!name.IsEmpty && name.Length <= 255)
        {
            _session.Add(Encoding.UTF8.GetString(name).ToLowerInvariant());
        }
    }
}
