using System.IO.Pipelines;

namespace Gateway.Core.Transport;

/// <summary>A reader and a writer paired into one <see cref="IDuplexPipe"/>.</summary>
internal sealed class DuplexPipe(PipeReader input, PipeWriter output) : IDuplexPipe
{
    public PipeReader Input { get; } = input;

    public PipeWriter Output { get; } = output;
}
