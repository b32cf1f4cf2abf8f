using Gateway.Host.Audit;

namespace Gateway.Host.Tests.Audit;

/// <summary>The fault to inject into every stream the log writes through; null writes normally.</summary>
internal sealed class AuditFaults
{
    public volatile IOException? Next;
}

/// <summary>
/// Wraps a log file stream. While a fault is set, a write puts half its bytes on disk and then throws (as a device that
/// fills up mid-write does), and a flush throws; <see cref="Flush"/> is otherwise a real fsync.
/// </summary>
internal sealed class FaultInjectingStream(Stream inner, AuditFaults faults, Action? onFlush = null) : Stream
{
    public override bool CanRead => false;

    public override bool CanSeek => inner.CanSeek;

    public override bool CanWrite => true;

    public override long Length => inner.Length;

    public override long Position { get => inner.Position; set => inner.Position = value; }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        if (faults.Next is { } fault)
        {
            inner.Write(buffer[..(buffer.Length / 2)]);
            throw fault;
        }

        inner.Write(buffer);
    }

    public override void Flush()
    {
        if (faults.Next is { } fault)
        {
            throw fault;
        }

        onFlush?.Invoke();
        AuditFiles.FlushDurably(inner);
    }

    public override void SetLength(long value) => inner.SetLength(value);

    public override long Seek(long offset, SeekOrigin origin) => inner.Seek(offset, origin);

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }

        base.Dispose(disposing);
    }
}
