using System.Buffers;
using System.IO.Pipelines;
using System.Net.Sockets;

namespace Gateway.Core.Transport;

/// <summary>
/// A connected socket as an <see cref="IDuplexPipe"/>: a pipe reader and writer directly over the socket's stream,
/// with no intermediate pipes and no send or receive loops. Reading waits with a zero-byte receive, so an idle
/// connection holds no buffer; a flush is one send, and it completes when the kernel has taken the bytes, which is
/// the backpressure.
/// </summary>
internal sealed class SocketTransport : IDuplexPipe, IAsyncDisposable
{
    private static readonly StreamPipeReaderOptions ReaderOptions = new(
        pool: MemoryPool<byte>.Shared, bufferSize: TransportPipeOptions.SegmentSize, minimumReadSize: 2048, leaveOpen: true, useZeroByteReads: true);

    private static readonly StreamPipeWriterOptions WriterOptions = new(
        pool: MemoryPool<byte>.Shared, minimumBufferSize: TransportPipeOptions.SegmentSize, leaveOpen: true);

    private readonly Socket _socket;
    private readonly NetworkStream _stream;

    public SocketTransport(Socket socket)
    {
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: true);
        Input = PipeReader.Create(_stream, ReaderOptions);
        Output = PipeWriter.Create(_stream, WriterOptions);
    }

    public PipeReader Input { get; }

    public PipeWriter Output { get; }

    public async ValueTask DisposeAsync()
    {
        await Input.CompleteAsync().ConfigureAwait(false);
        await Output.CompleteAsync().ConfigureAwait(false);
        try
        {
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (SocketException)
        {
            // Already reset by the peer.
        }

        await _stream.DisposeAsync().ConfigureAwait(false);
    }
}
