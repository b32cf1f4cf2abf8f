using System.Buffers;
using System.Buffers.Binary;
using System.Security.Cryptography;
using Gateway.Core.Masking;
using Gateway.Core.Protocol.Postgres;
using Gateway.Core.Sessions;
using ZstdSharp;

namespace Gateway.Host.Recording;

/// <summary>
/// One session's recording. <see cref="Record"/> only appends the bytes and a timestamp to pooled segments (one copy,
/// under a lock shared by the two pumps, so the order is the order observed); a store worker later frames them into
/// messages, masks the client's statements and parameters, chains and compresses the records and writes one
/// independent zstd frame per batch. Write errors fail the recording: <see cref="WaitForCapacityAsync"/> then returns
/// false and the session ends.
/// </summary>
internal sealed partial class SessionRecording : IPgSessionRecorder
{
    /// <summary>Per chunk: timestamp (8), direction (1), length (4).</summary>
    private const int EntryHeaderLength = 13;
    private const int SegmentSize = 64 * 1024;

    private readonly RecordingStore _store;
    private readonly TimeProvider _time;
    private readonly ContentRedactor? _redactor;
    private readonly long _startTimestamp;
    private readonly double _microsecondsPerTick;
    private readonly long _maxPending;
    private readonly int _frameBytes;
    private readonly long _maxBytes;

    // Producer side, under _lock.
    private readonly Lock _lock = new();
    private List<byte[]> _segments = [];
    private List<int> _used = [];
    private List<byte[]> _spareSegments = [];
    private List<int> _spareUsed = [];
    private long _pendingBytes;
    private TaskCompletionSource<bool>? _capacityWaiter;
    private volatile bool _failed;
    private volatile bool _completeRequested;
    internal int Scheduled;

    // Worker side: one worker at a time drains a recording.
    private readonly Stream _stream;
    private readonly PooledBuffer _frame = new();
    private byte[] _compressed = [];
    private readonly RecordChain _chain = new();

    // The frame's records from this offset on are written but not yet chained: they are hashed in one call when the
    // chain's value is needed (the frame's end, the seal).
    private int _chainedTo;
    private long _unchained;
    private readonly IncrementalHash _fileHash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private long _fileBytes;
    private readonly Direction[] _directions = [new(), new()];
    private readonly long[] _counts = new long[512];
    private readonly long[] _wireBytes = new long[2];
    private bool _truncated;
    private bool _done;
    private string? _failure;
    private string _closeReason = "";
    private long _sessionBytesFromClient;
    private long _sessionBytesFromServer;
    private long _statements;
    private readonly TaskCompletionSource<RecordingSeal> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

    internal SessionRecording(RecordingStore store, RecordingStoreOptions options, TimeProvider time, string path, RecordingHeader header, ContentRedactor? redactor, Stream stream)
    {
        _store = store;
        _time = time;
        _redactor = redactor is { HasDetectors: true } ? redactor : null;
        Path = path;
        Header = header;
        _stream = stream;
        _startTimestamp = time.GetTimestamp();
        _microsecondsPerTick = 1_000_000.0 / time.TimestampFrequency;
        _maxPending = options.MaxPendingBytesPerSession;
        _frameBytes = options.FrameBytes;
        _maxBytes = options.MaxBytesPerSession;

        // The header frame is written at once: a recording that cannot even start refuses its session.
        int start = BeginRecord(RecordingFormat.Header);
        header.WriteJson(_frame);
        EndHeaderRecord(start);
        _chainedTo = _frame.Length;
        EmitFrame();
    }

    /// <summary>The file being written.</summary>
    public string Path { get; }

    public RecordingHeader Header { get; }

    /// <summary>True once a write failed; the session is being ended.</summary>
    public bool IsFailed => _failed;

    /// <inheritdoc/>
    public void Record(PgSide side, ReadOnlySpan<byte> bytes)
    {
        if (bytes.IsEmpty || _failed)
        {
            return;
        }

        long timestamp = _time.GetTimestamp();
        bool schedule;
        lock (_lock)
        {
            if (_completeRequested)
            {
                return;
            }

            ReadOnlySpan<byte> rest = bytes;
            long added = 0;
            while (!rest.IsEmpty)
            {
                int last = _segments.Count - 1;
                if (last < 0 || _segments[last].Length - _used[last] <= EntryHeaderLength)
                {
                    _segments.Add(ArrayPool<byte>.Shared.Rent(SegmentSize));
                    _used.Add(0);
                    last++;
                }

                byte[] segment = _segments[last];
                int used = _used[last];
                int length = Math.Min(rest.Length, segment.Length - used - EntryHeaderLength);
                Span<byte> entry = segment.AsSpan(used, EntryHeaderLength + length);
                BinaryPrimitives.WriteInt64LittleEndian(entry, timestamp);
                entry[8] = (byte)side;
                BinaryPrimitives.WriteInt32LittleEndian(entry.Slice(9), length);
                rest.Slice(0, length).CopyTo(entry.Slice(EntryHeaderLength));
                _used[last] = used + entry.Length;
                added += entry.Length;
                rest = rest.Slice(length);
            }

            _pendingBytes += added;
            schedule = _pendingBytes >= _frameBytes;
        }

        if (schedule)
        {
            _store.Schedule(this);
        }
    }

    /// <inheritdoc/>
    public ValueTask<bool> WaitForCapacityAsync(CancellationToken cancellationToken)
    {
        if (_failed)
        {
            return new ValueTask<bool>(false);
        }

        return Volatile.Read(ref _pendingBytes) <= _maxPending ? new ValueTask<bool>(true) : WaitSlowAsync(cancellationToken);
    }

    private async ValueTask<bool> WaitSlowAsync(CancellationToken cancellationToken)
    {
        TaskCompletionSource<bool> waiter;
        lock (_lock)
        {
            if (_failed || _pendingBytes <= _maxPending)
            {
                return !_failed;
            }

            waiter = _capacityWaiter ??= new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        _store.Schedule(this);
        return await waiter.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Ends the recording once the session has closed: writes what is pending and a seal record (counts, chain head,
    /// the close reason), flushes and fsyncs, and returns what the closing audit record should cite. Idempotent; never
    /// throws for a write failure (the seal's <see cref="RecordingSeal.Failure"/> says what happened).
    /// </summary>
    public Task<RecordingSeal> CompleteAsync(string closeReason, long bytesFromClient = 0, long bytesFromServer = 0, long statements = 0)
    {
        ArgumentNullException.ThrowIfNull(closeReason);
        lock (_lock)
        {
            if (!_completeRequested)
            {
                _closeReason = closeReason;
                _sessionBytesFromClient = bytesFromClient;
                _sessionBytesFromServer = bytesFromServer;
                _statements = statements;
                _completeRequested = true;
            }
        }

        _store.Schedule(this);
        return _completion.Task;
    }

    internal bool HasWork => Volatile.Read(ref _pendingBytes) > 0 || (_completeRequested && !_done);

    internal bool NeedsPromptDrain => Volatile.Read(ref _pendingBytes) >= _frameBytes || (_completeRequested && !_done) || _capacityWaiter is not null;

    /// <summary>Worker: frames, encodes and writes everything pending (and the seal, when asked to complete).</summary>
    internal void Drain()
    {
        List<byte[]> segments;
        List<int> used;
        bool complete;
        lock (_lock)
        {
            if (_done)
            {
                return;
            }

            segments = _segments;
            used = _used;
            _segments = _spareSegments;
            _used = _spareUsed;
            complete = _completeRequested;
        }

        long taken = 0;
        try
        {
            for (int i = 0; i < segments.Count; i++)
            {
                taken += used[i];
                if (!_failed)
                {
                    FeedSegment(segments[i].AsSpan(0, used[i]));
                }
            }

            if (!_failed)
            {
                if (complete)
                {
                    WriteEnd();
                }

                if (_frame.Length > 0)
                {
                    EmitFrame();
                }

                if (complete)
                {
                    if (_stream is FileStream file)
                    {
                        file.Flush(flushToDisk: true);
                    }
                    else
                    {
                        _stream.Flush();
                    }
                }
            }
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or ObjectDisposedException or NotSupportedException or ZstdException)
        {
            Fail(exception);
        }
        finally
        {
            foreach (byte[] segment in segments)
            {
                ArrayPool<byte>.Shared.Return(segment);
            }

            segments.Clear();
            used.Clear();
            TaskCompletionSource<bool>? wake = null;
            lock (_lock)
            {
                _spareSegments = segments;
                _spareUsed = used;
                _pendingBytes -= taken;
                if (_capacityWaiter is not null && (_failed || _pendingBytes <= _maxPending / 2))
                {
                    wake = _capacityWaiter;
                    _capacityWaiter = null;
                }
            }

            wake?.TrySetResult(!_failed);
        }

        if (complete)
        {
            Finish();
        }
    }

    private void FeedSegment(ReadOnlySpan<byte> segment)
    {
        while (segment.Length >= EntryHeaderLength)
        {
            long timestamp = BinaryPrimitives.ReadInt64LittleEndian(segment);
            int side = segment[8];
            int length = BinaryPrimitives.ReadInt32LittleEndian(segment.Slice(9));
            Feed(side, Microseconds(timestamp), segment.Slice(EntryHeaderLength, length));
            segment = segment.Slice(EntryHeaderLength + length);
        }
    }

    private long Microseconds(long timestamp) => (long)((timestamp - _startTimestamp) * _microsecondsPerTick);

    private void Fail(Exception exception)
    {
        _failure ??= exception.GetType().Name + ": " + exception.Message;
        _failed = true;
        TaskCompletionSource<bool>? wake;
        lock (_lock)
        {
            wake = _capacityWaiter;
            _capacityWaiter = null;
        }

        wake?.TrySetResult(false);
        try
        {
            _stream.Dispose();
        }
        catch (Exception closing) when (closing is IOException or ObjectDisposedException or NotSupportedException)
        {
            // Closing a stream that failed to write may fail again; the recording is already marked failed.
        }
    }

    /// <summary>Benchmark hook: drops what is pending, returning its segments, as a drain would.</summary>
    internal void DiscardPending()
    {
        lock (_lock)
        {
            foreach (byte[] segment in _segments)
            {
                ArrayPool<byte>.Shared.Return(segment);
            }

            _segments.Clear();
            _used.Clear();
            _pendingBytes = 0;
        }
    }

    /// <summary>Test hook: fails the recording as a write error would.</summary>
    internal void FailForTest(Exception exception) => Fail(exception);

    private void Finish()
    {
        lock (_lock)
        {
            if (_done)
            {
                return;
            }

            _done = true;
        }

        RecordingSeal seal;
        if (_failed)
        {
            seal = new RecordingSeal(Path, _chain.Count, Convert.ToHexStringLower(_chain.Head), null, _fileBytes, _truncated, _closeReason, _failure);
        }
        else
        {
            try
            {
                _stream.Dispose();
            }
            catch (IOException exception)
            {
                Fail(exception);
            }

            seal = new RecordingSeal(Path, _chain.Count, Convert.ToHexStringLower(_chain.Head),
                _failed ? null : Convert.ToHexStringLower(_fileHash.GetHashAndReset()), _fileBytes, _truncated, _closeReason, _failure);
        }

        _store.Remove(this);
        foreach (Direction direction in _directions)
        {
            direction.Body.Dispose();
        }

        _frame.Dispose();
        if (_compressed.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_compressed);
            _compressed = [];
        }

        _chain.Dispose();
        _fileHash.Dispose();
        _completion.TrySetResult(seal);
    }

    /// <summary>Chains the records written since the last call (all of them whole).</summary>
    private void ChainPending()
    {
        _chain.AppendRecords(_frame.WrittenSpan.Slice(_chainedTo), _unchained);
        _chainedTo = _frame.Length;
        _unchained = 0;
    }

    /// <summary>Closes the current frame: a chain-head record, then one zstd frame (with content checksum) to the file.</summary>
    private void EmitFrame()
    {
        ChainPending();
        Span<byte> head = _frame.GetSpan(RecordingFormat.RecordHeaderLength + RecordingFormat.ChainHeadBodyLength);
        head[0] = RecordingFormat.ChainHead;
        BinaryPrimitives.WriteInt32BigEndian(head.Slice(1), RecordingFormat.ChainHeadBodyLength);
        BinaryPrimitives.WriteInt64BigEndian(head.Slice(5), _chain.Count);
        _chain.Head.CopyTo(head.Slice(13));
        _chain.EndFrame();
        _frame.Advance(RecordingFormat.RecordHeaderLength + RecordingFormat.ChainHeadBodyLength);

        ReadOnlySpan<byte> content = _frame.WrittenSpan;
        int bound = Compressor.GetCompressBound(content.Length) + RecordingFormat.TrailerLength;
        if (_compressed.Length < bound)
        {
            if (_compressed.Length > 0)
            {
                ArrayPool<byte>.Shared.Return(_compressed);
            }

            _compressed = ArrayPool<byte>.Shared.Rent(bound);
        }

        // One pass of SHA-256 over the compressed bytes serves both the trailer (the hash of the file up to the end of
        // this data frame) and the whole file's hash that the seal reports.
        int written = _store.Compress(content, _compressed);
        _fileHash.AppendData(_compressed, 0, written);
        Span<byte> trailer = _compressed.AsSpan(written, RecordingFormat.TrailerLength);
        RecordingFormat.TrailerPrefix.CopyTo(trailer);
        _fileHash.GetCurrentHash(trailer.Slice(RecordingFormat.TrailerPrefix.Length));
        _fileHash.AppendData(trailer);
        written += RecordingFormat.TrailerLength;
        _frame.Reset();
        _chainedTo = 0;
        _stream.Write(_compressed, 0, written);
        _stream.Flush();
        _fileBytes += written;
    }
}
