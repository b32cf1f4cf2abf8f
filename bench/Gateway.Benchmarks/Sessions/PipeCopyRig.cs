using System.Buffers;
using System.IO.Pipelines;

namespace Gateway.Benchmarks.Sessions;

/// <summary>
/// The relay benchmarks' baseline: a pump that copies every byte from one pipe to another with no protocol work, on
/// the same pipe options and the same inline scheduling as the relay. What the relay costs beyond this is its own.
/// </summary>
public sealed class PipeCopyRig
{
    private readonly Pipe _in = new(InMemoryPipes.IntoGateway);
    private readonly Pipe _out = new(InMemoryPipes.OutOfGateway);
    private readonly Task _pump;

    public PipeCopyRig() => _pump = PumpAsync(_in.Reader, _out.Writer);

    /// <summary>Where the benchmark writes.</summary>
    public PipeWriter Source => _in.Writer;

    /// <summary>Where the benchmark drains.</summary>
    public PipeReader Sink => _out.Reader;

    public void Stop()
    {
        Source.Complete();
        _pump.WaitAsync(TimeSpan.FromSeconds(10)).GetAwaiter().GetResult();
        Sink.Complete();
    }

    private static async Task PumpAsync(PipeReader input, PipeWriter output)
    {
        while (true)
        {
            ReadResult result = await input.ReadAsync().ConfigureAwait(false);
            ReadOnlySequence<byte> buffer = result.Buffer;
            foreach (ReadOnlyMemory<byte> segment in buffer)
            {
                output.Write(segment.Span);
            }

            input.AdvanceTo(buffer.End);
            if (result.IsCompleted)
            {
                break;
            }

            ValueTask<FlushResult> flush = output.FlushAsync();
            FlushResult flushed = flush.IsCompletedSuccessfully ? flush.Result : await flush.ConfigureAwait(false);
            if (flushed.IsCompleted)
            {
                break;
            }
        }

        await input.CompleteAsync().ConfigureAwait(false);
        await output.CompleteAsync().ConfigureAwait(false);
    }
}
