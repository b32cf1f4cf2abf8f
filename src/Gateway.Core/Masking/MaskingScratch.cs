using System.Buffers;

namespace Gateway.Core.Masking;

/// <summary>
/// A session's reusable working memory for rewriting values: an arena the masked values of one message are written
/// to, and the matches the detectors report. Rented from the shared pool on first use, reset per message and given
/// back when the session goes idle (<see cref="Release"/>), so rewriting a row allocates nothing and an idle
/// session holds no buffers.
/// </summary>
internal sealed class MaskingScratch : IDisposable
{
    public const int MaxMatches = 64;

    private byte[] _arena = [];
    private byte[] _input = [];
    private int[] _columns = [];
    private int _used;

    private DetectorMatch[]? _matches;

    public DetectorMatch[] Matches => _matches ??= new DetectorMatch[MaxMatches];

    public ReadOnlySpan<byte> Arena => _arena.AsSpan(0, _used);

    public int Used => _used;

    public void Reset() => _used = 0;

    /// <summary>Space for <paramref name="size"/> more bytes; returns where they start in the arena.</summary>
    public Span<byte> Reserve(int size, out int offset)
    {
        if (_arena.Length - _used < size)
        {
            byte[] larger = ArrayPool<byte>.Shared.Rent(Math.Max(Math.Max(_arena.Length * 2, 4096), _used + size));
            _arena.AsSpan(0, _used).CopyTo(larger);
            if (_arena.Length > 0)
            {
                ArrayPool<byte>.Shared.Return(_arena);
            }

            _arena = larger;
        }

        offset = _used;
        return _arena.AsSpan(_used, size);
    }

    /// <summary>Commits <paramref name="size"/> bytes written after <see cref="Reserve"/>.</summary>
    public void Commit(int size) => _used += size;

    public int Append(ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(Reserve(bytes.Length, out int offset));
        Commit(bytes.Length);
        return offset;
    }

    public ReadOnlySpan<byte> Slice(int offset, int length) => _arena.AsSpan(offset, length);

    /// <summary>Fills in a length reserved earlier.</summary>
    public void WriteInt32At(int offset, int value) => System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(_arena.AsSpan(offset, 4), value);

    /// <summary>Three ints per column (source, offset, length) for the row being rewritten.</summary>
    public Span<int> Columns(int count)
    {
        if (_columns.Length < count * 3)
        {
            if (_columns.Length > 0)
            {
                ArrayPool<int>.Shared.Return(_columns);
            }

            _columns = ArrayPool<int>.Shared.Rent(Math.Max(count * 3, 64 * 3));
        }

        return _columns.AsSpan(0, count * 3);
    }

    /// <summary>A message payload as one span: itself when contiguous, else copied into a pooled buffer.</summary>
    public ReadOnlySpan<byte> Contiguous(in System.Buffers.ReadOnlySequence<byte> payload)
    {
        if (payload.IsSingleSegment)
        {
            return payload.FirstSpan;
        }

        int length = checked((int)payload.Length);
        if (_input.Length < length)
        {
            if (_input.Length > 0)
            {
                ArrayPool<byte>.Shared.Return(_input);
            }

            _input = ArrayPool<byte>.Shared.Rent(length);
        }

        payload.CopyTo(_input);
        return _input.AsSpan(0, length);
    }

    /// <summary>Gives every buffer back to the pool; the next use rents again.</summary>
    public void Release()
    {
        if (_arena.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_arena);
        }

        if (_columns.Length > 0)
        {
            ArrayPool<int>.Shared.Return(_columns);
        }

        if (_input.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_input);
        }

        _arena = [];
        _input = [];
        _columns = [];
        _used = 0;
    }

    public void Dispose() => Release();
}
