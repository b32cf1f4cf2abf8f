using System.Runtime.CompilerServices;

namespace Gateway.Core.Protocol.Postgres;

/// <summary>An immutable set of message type bytes, tested with one shift and mask per lookup.</summary>
public readonly struct PgMessageCodeSet : IEquatable<PgMessageCodeSet>
{
    private readonly ulong _w0;
    private readonly ulong _w1;
    private readonly ulong _w2;
    private readonly ulong _w3;

    private PgMessageCodeSet(ulong w0, ulong w1, ulong w2, ulong w3)
    {
        _w0 = w0;
        _w1 = w1;
        _w2 = w2;
        _w3 = w3;
    }

    /// <summary>The set with no codes.</summary>
    public static PgMessageCodeSet Empty => default;

    /// <summary>True when the set holds no code.</summary>
    public bool IsEmpty => (_w0 | _w1 | _w2 | _w3) == 0;

    /// <summary>Creates a set of the given backend codes.</summary>
    public static PgMessageCodeSet Of(params ReadOnlySpan<BackendCode> codes)
    {
        PgMessageCodeSet set = default;
        foreach (BackendCode code in codes)
        {
            set = set.With((byte)code);
        }

        return set;
    }

    /// <summary>Creates a set of the given frontend codes.</summary>
    public static PgMessageCodeSet Of(params ReadOnlySpan<FrontendCode> codes)
    {
        PgMessageCodeSet set = default;
        foreach (FrontendCode code in codes)
        {
            set = set.With((byte)code);
        }

        return set;
    }

    /// <summary>True when <paramref name="code"/> is in the set.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool Contains(byte code)
    {
        ulong word = (code >> 6) switch
        {
            0 => _w0,
            1 => _w1,
            2 => _w2,
            _ => _w3,
        };
        return (word & (1UL << (code & 63))) != 0;
    }

    /// <summary>This set plus <paramref name="code"/>.</summary>
    public PgMessageCodeSet With(byte code)
    {
        ulong bit = 1UL << (code & 63);
        return (code >> 6) switch
        {
            0 => new PgMessageCodeSet(_w0 | bit, _w1, _w2, _w3),
            1 => new PgMessageCodeSet(_w0, _w1 | bit, _w2, _w3),
            2 => new PgMessageCodeSet(_w0, _w1, _w2 | bit, _w3),
            _ => new PgMessageCodeSet(_w0, _w1, _w2, _w3 | bit),
        };
    }

    /// <summary>The codes in either set.</summary>
    public PgMessageCodeSet Union(PgMessageCodeSet other)
        => new(_w0 | other._w0, _w1 | other._w1, _w2 | other._w2, _w3 | other._w3);

    /// <inheritdoc/>
    public bool Equals(PgMessageCodeSet other)
        => _w0 == other._w0 && _w1 == other._w1 && _w2 == other._w2 && _w3 == other._w3;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is PgMessageCodeSet other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(_w0, _w1, _w2, _w3);

    /// <summary>Equality.</summary>
    public static bool operator ==(PgMessageCodeSet left, PgMessageCodeSet right) => left.Equals(right);

    /// <summary>Inequality.</summary>
    public static bool operator !=(PgMessageCodeSet left, PgMessageCodeSet right) => !left.Equals(right);
}
