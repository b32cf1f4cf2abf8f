namespace Gateway.Core.Transport;

/// <summary>Buffer sizes shared by the socket and TLS transports.</summary>
internal static class TransportPipeOptions
{
    /// <summary>
    /// The size of one receive or send buffer: large enough that a wide result needs few system calls. Buffers are
    /// rented only while data is in flight, so an idle session holds none.
    /// </summary>
    public const int SegmentSize = 16 * 1024;

    /// <summary>
    /// The most a frame a hook inspects may occupy in a transport's buffers before the relay assembles it in its own
    /// buffer instead; a transport that pauses its socket past a threshold (as System.IO.Pipelines' Pipe does at
    /// 1 MiB by default) must never wait for the relay to consume a frame it cannot finish receiving.
    /// </summary>
    public const int InPipeFrameLimit = 512 * 1024;
}
