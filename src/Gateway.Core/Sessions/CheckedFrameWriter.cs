using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using Gateway.Core.Protocol.Postgres;

namespace Gateway.Core.Sessions;

/// <summary>
/// Where a built-in hook's replacement goes when no later hook wants the message: straight into the peer's outgoing
/// pipe, without the second copy through a replacement buffer. Every <see cref="Advance"/> must cover whole messages;
/// they are checked as a peer's input would be before they are committed, and a malformed one throws with nothing of
/// it in the pipe, so a hook that miscounts a length still cannot smuggle bytes.
/// </summary>
internal sealed class CheckedFrameWriter : IBufferWriter<byte>
{
    private PipeWriter? _output;
    private PgSide _side;
    private int _maxMessageSize;
    private Memory<byte> _buffer;

    /// <summary>Bytes were committed since <see cref="Start"/>.</summary>
    public bool Wrote { get; private set; }

    public void Start(PipeWriter output, PgSide side, int maxMessageSize)
    {
        _output = output;
        _side = side;
        _maxMessageSize = maxMessageSize;
        _buffer = default;
        Wrote = false;
    }

    public Memory<byte> GetMemory(int sizeHint = 0) => _buffer = _output!.GetMemory(sizeHint);

    public Span<byte> GetSpan(int sizeHint = 0) => GetMemory(sizeHint).Span;

    public void Advance(int count)
    {
        if ((uint)count > (uint)_buffer.Length)
        {
            throw new InvalidOperationException("a message hook advanced past the buffer it was given");
        }

        ReadOnlySpan<byte> written = _buffer.Span.Slice(0, count);
        while (!written.IsEmpty)
        {
            written = written.Slice(FrameLength(written, _side, _maxMessageSize));
        }

        _output!.Advance(count);
        _buffer = default;
        Wrote |= count > 0;
    }

    /// <summary>
    /// The length (header included) of the message a hook wrote at the start of <paramref name="written"/>, checked
    /// as a peer's would be; throws when the header is invalid or the message does not end within the bytes written.
    /// </summary>
    public static int FrameLength(ReadOnlySpan<byte> written, PgSide side, int maxMessageSize)
    {
        if (written.Length < PgFrameReader.HeaderLength)
        {
            throw new InvalidOperationException("a message hook wrote an incomplete message");
        }

        int length = BinaryPrimitives.ReadInt32BigEndian(written.Slice(1));
        PgFrameReader.Validate(side, written[0], length, maxMessageSize);
        if (length >= written.Length)
        {
            throw new InvalidOperationException("a message hook wrote an incomplete message");
        }

        return length + 1;
    }
}
