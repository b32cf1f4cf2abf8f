using System.IO.Pipelines;

namespace Gateway.Benchmarks.Sessions;

/// <summary>A reader and a writer as one end of a connection.</summary>
internal sealed class PipePair(PipeReader input, PipeWriter output) : IDuplexPipe
{
    public PipeReader Input { get; } = input;

    public PipeWriter Output { get; } = output;
}
