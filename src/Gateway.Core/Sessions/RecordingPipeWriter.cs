using System.IO.Pipelines;
using Gateway.Core.Protocol.Postgres;

namespace Gateway.Core.Sessions;

/// <summary>
/// Wraps the client's output so that every byte committed to it is also handed to the session's recorder, whoever
/// writes it (forwarded runs, hook replacements, the gateway's own errors). The bytes are reported as they are
/// advanced, from the buffer the writer filled: the recorder's copy is the only extra one.
/// </summary>
internal sealed class RecordingPipeWriter(PipeWriter inner, IPgSessionRecorder recorder) : PipeWriter
{
    private Memory<byte> _current;

    public override Memory<byte> GetMemory(int sizeHint = 0) => _current = inner.GetMemory(sizeHint);

    public override Span<byte> GetSpan(int sizeHint = 0) => (_current = inner.GetMemory(sizeHint)).Span;

    public override void Advance(int bytes)
    {
        if ((uint)bytes > (uint)_current.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(bytes), bytes, "advanced past the buffer");
        }

        recorder.Record(PgSide.Backend, _current.Span.Slice(0, bytes));
        _current = _current.Slice(bytes);
        inner.Advance(bytes);
    }

    public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default) => inner.FlushAsync(cancellationToken);

    public override void CancelPendingFlush() => inner.CancelPendingFlush();

    public override void Complete(Exception? exception = null) => inner.Complete(exception);

    public override ValueTask CompleteAsync(Exception? exception = null) => inner.CompleteAsync(exception);

    public override bool CanGetUnflushedBytes => inner.CanGetUnflushedBytes;

    public override long UnflushedBytes => inner.UnflushedBytes;
}
