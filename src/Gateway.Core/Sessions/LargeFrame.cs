using System.Buffers;

namespace Gateway.Core.Sessions;

/// <summary>
/// An inspected message too large to wait for in the receive pipe, assembled in one pooled array as it arrives. Its
/// size is bounded by <see cref="Configuration.PgGatewayOptions.MaxMessageSize"/>, which was checked at the header.
/// </summary>
internal struct LargeFrame
{
    private byte[]? _buffer;
    private int _length;
    private int _filled;

    public byte Code { get; private set; }

    public readonly bool IsEmpty => _buffer is null;

    /// <summary>The whole frame, header included; valid until <see cref="Release"/>.</summary>
    public readonly ReadOnlySequence<byte> Frame => new(_buffer!, 0, _length);

    public void Start(byte code, int length)
    {
        _buffer = ArrayPool<byte>.Shared.Rent(length);
        _length = length;
        _filled = 0;
        Code = code;
    }

    /// <summary>Moves bytes from <paramref name="source"/> into the frame; true once it is complete.</summary>
    public bool Append(ref ReadOnlySequence<byte> source)
    {
        long take = Math.Min(_length - _filled, source.Length);
        source.Slice(0, take).CopyTo(_buffer.AsSpan(_filled));
        source = source.Slice(take);
        _filled += (int)take;
        return _filled == _length;
    }

    public void Release()
    {
        if (_buffer is not null)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = null;
        }
    }
}
