using System.Buffers;
using System.IO.Pipelines;
using System.Net.Security;

namespace Gateway.Core.Transport;

/// <summary>Pipes over an authenticated <see cref="SslStream"/>, with the same buffer sizes as the socket pipes.</summary>
internal static class TlsPipes
{
    private static readonly StreamPipeReaderOptions ReaderOptions = new(
        pool: MemoryPool<byte>.Shared, bufferSize: TransportPipeOptions.SegmentSize, minimumReadSize: 1024, leaveOpen: true, useZeroByteReads: true);

    private static readonly StreamPipeWriterOptions WriterOptions = new(
        pool: MemoryPool<byte>.Shared, minimumBufferSize: TransportPipeOptions.SegmentSize, leaveOpen: true);

    public static IDuplexPipe Create(SslStream tls)
        => new DuplexPipe(PipeReader.Create(tls, ReaderOptions), PipeWriter.Create(tls, WriterOptions));
}
