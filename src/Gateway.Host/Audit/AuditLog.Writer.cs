using System.Buffers;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;

namespace Gateway.Host.Audit;

/// <summary>The writer loop: group commit, segment rotation, checkpoints, and failing closed.</summary>
internal sealed partial class AuditLog
{
    private const int MaxBatchRecords = 4096;
    private const int MaxBatchBytes = 4 * 1024 * 1024;
    private const int ENOSPC = 28;
    private const int EIO = 5;
    private const int WindowsDiskFull = unchecked((int)0x80070070);

    // Owned by the writer loop alone.
    private readonly ArrayBufferWriter<byte> _batch = new(64 * 1024);
    private readonly ArrayBufferWriter<byte> _scratch = new(4 * 1024);
    private readonly List<AuditWriterCommand> _pending = [];
    private readonly List<AuditRecord> _written = [];
    private readonly List<AuditWriterCommand> _acknowledged = [];
    private int _segmentNumber;
    private long _segmentLength;
    private long _checkpointsLength;
    private Stream? _segment;
    private Stream? _checkpoints;
    private long _lastSeq;
    private string _lastHash;
    private string _lastCheckpointHash;
    private DateTimeOffset _lastCheckpointTime;
    private AuditFault? _fault;

    private string SegmentPath => Path.Combine(_options.Directory, AuditFiles.SegmentName(_segmentNumber));

    private string CheckpointsPath => Path.Combine(_options.Directory, AuditFiles.Checkpoints);

    private async Task RunWriterAsync()
    {
        try
        {
            await WriteUntilStoppedAsync();
        }
#pragma warning disable CA1031 // Whatever broke the writer, no append may wait forever for it: fail closed.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            _available = false;
            LogWriterFailed(_logger, ex);
            _commands.Writer.TryComplete();
            FailAll(_pending, Unavailable());
            _pending.Clear();
            RejectQueued();
            DisposeQuietly(ref _segment);
            DisposeQuietly(ref _checkpoints);
        }
    }

    private async Task WriteUntilStoppedAsync()
    {
        while (await _commands.Reader.WaitToReadAsync())
        {
            while (_commands.Reader.TryRead(out AuditWriterCommand? command))
            {
                if (command.Kind == AuditWriterCommandKind.Append)
                {
                    _pending.Add(command);
                    if (_pending.Count >= MaxBatchRecords)
                    {
                        WritePending();
                    }

                    continue;
                }

                WritePending();
                if (command.Kind == AuditWriterCommandKind.Stop)
                {
                    Stop();
                    return;
                }

                Handle(command);
            }

            WritePending();
        }
    }

    private void Handle(AuditWriterCommand command)
    {
        switch (command.Kind)
        {
            case AuditWriterCommandKind.Checkpoint:
                WriteCheckpoint();
                break;
            case AuditWriterCommandKind.Probe:
                Interlocked.Exchange(ref _probePending, 0);
                Probe();
                break;
            case AuditWriterCommandKind.Barrier:
                command.Done!.TrySetResult();
                break;
        }
    }

    /// <summary>
    /// Writes every queued append as one batch: one write, one fsync, then every caller is released. Only a batch of
    /// more than <see cref="MaxBatchBytes"/> is split, so that huge records cannot pile up unbounded in memory.
    /// </summary>
    private void WritePending()
    {
        for (int next = 0; next < _pending.Count;)
        {
            next = WriteBatch(next);
        }

        _pending.Clear();
    }

    /// <summary>Encodes, writes and fsyncs pending appends from <paramref name="first"/>; returns the index after the last one taken.</summary>
    private int WriteBatch(int first)
    {
        if (!_available)
        {
            FailAll(_pending.Skip(first), Unavailable());
            return _pending.Count;
        }

        _batch.ResetWrittenCount();
        _written.Clear();
        _acknowledged.Clear();
        long seq = _lastSeq;
        string prev = _lastHash;
        DateTimeOffset now = _time.GetUtcNow();
        int next = first;
        for (; next < _pending.Count && _batch.WrittenCount < MaxBatchBytes; next++)
        {
            AuditWriterCommand command = _pending[next];
            int before = _batch.WrittenCount;
            try
            {
                AuditRecord record = AuditRecordCodec.Encode(_batch, _scratch, _logIdBytes, seq + 1, now, prev, command.Event!);
                seq = record.Seq;
                prev = record.Hash;
                _written.Add(record);
                _acknowledged.Add(command);
            }
            catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or JsonException)
            {
                // A value JSON cannot carry (a NaN, a cycle) fails that append alone, before any byte of it is written.
                System.Diagnostics.Debug.Assert(_batch.WrittenCount == before, "the codec writes a record only once it is encoded");
                command.Appended!.TrySetException(ex);
            }
        }

        if (_written.Count == 0)
        {
            return next;
        }

        if (!TryWriteRecords(_batch.WrittenSpan))
        {
            FailAll(_acknowledged, Unavailable());
            return next;
        }

        _lastSeq = seq;
        _lastHash = prev;
        for (int i = 0; i < _acknowledged.Count; i++)
        {
            _acknowledged[i].Appended!.TrySetResult(_written[i]);
        }

        NotifyDurable(_written);
        return next;
    }

    /// <summary>Appends whole lines to the current segment (rotating first if they would pass the limit) and fsyncs.</summary>
    private bool TryWriteRecords(ReadOnlySpan<byte> lines)
    {
        try
        {
            if (_segmentLength > 0 && _segmentLength + lines.Length > _options.SegmentMaxBytes)
            {
                _segment?.Dispose();
                _segment = null;
                _segmentNumber++;
                _segmentLength = 0;
            }

            _segment ??= _options.OpenWrite(SegmentPath);
            _segment.Write(lines);
            AuditFiles.FlushDurably(_segment);
            _segmentLength += lines.Length;
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            EnterFault(ex);
            return false;
        }
    }

    private void WriteCheckpoint()
    {
        if (!_available)
        {
            return;
        }

        // Checkpoint times never go backwards, even if the wall clock does: the verifier rejects a regression.
        DateTimeOffset now = _time.GetUtcNow();
        DateTimeOffset time = now < _lastCheckpointTime ? _lastCheckpointTime : now;
        (AuditCheckpoint checkpoint, byte[] line) = AuditCheckpointCodec.Encode(_key, LogId, _lastSeq, _lastHash, time, _lastCheckpointHash);
        try
        {
            _checkpoints ??= _options.OpenWrite(CheckpointsPath);
            _checkpoints.Write([.. line, (byte)'\n']);
            AuditFiles.FlushDurably(_checkpoints);
            _checkpointsLength += line.Length + 1;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            EnterFault(ex);
            return;
        }

        _lastCheckpointHash = checkpoint.Hash;
        _lastCheckpointTime = checkpoint.Time;
        _witness.Enqueue(line);
    }

    private void Stop()
    {
        _commands.Writer.TryComplete();
        if (_available)
        {
            _pending.Add(AuditWriterCommand.Append(new AuditEvent(AuditEventTypes.GatewayStop)));
            WritePending();
            WriteCheckpoint();
        }
        else
        {
            LogClosedWhileUnavailable(_logger, _lastSeq);
        }

        _available = false;
        RejectQueued();
        DisposeQuietly(ref _segment);
        DisposeQuietly(ref _checkpoints);
    }

    /// <summary>Fails what is still queued once the channel is complete.</summary>
    private void RejectQueued()
    {
        while (_commands.Reader.TryRead(out AuditWriterCommand? late))
        {
            late.Appended?.TrySetException(new AuditUnavailableException("the audit log is closed"));
            late.Done?.TrySetResult();
        }
    }

    /// <summary>Fails closed: the log refuses appends until <see cref="Probe"/> writes again.</summary>
    private void EnterFault(Exception ex)
    {
        _available = false;
        if (_fault is null)
        {
            _fault = new AuditFault(_time.GetUtcNow(), ErrorKind(ex), ex.Message);
            Interlocked.Exchange(ref _rejectedAppends, 0);
            LogFailed(_logger, _fault.Kind, ex.Message, _lastSeq);
            _probeTimer.Change(_options.ProbeInterval, _options.ProbeInterval);
        }

        DisposeQuietly(ref _segment);
        DisposeQuietly(ref _checkpoints);
    }

    /// <summary>
    /// Tries to write again after a failure: quarantines whatever part of the failed write reached the files, then
    /// appends <c>audit.recovered</c> naming the failure. Only once that record is durable does the log accept appends.
    /// </summary>
    private void Probe()
    {
        if (_available || _fault is null)
        {
            return;
        }

        DateTimeOffset now = _time.GetUtcNow();
        string? quarantineFile = null;
        long quarantinedBytes = 0;
        try
        {
            if (File.Exists(SegmentPath))
            {
                (quarantineFile, quarantinedBytes) = AuditFiles.Quarantine(_options.OpenWrite, SegmentPath, _segmentLength, $"{_lastSeq + 1}", now);
            }

            if (File.Exists(CheckpointsPath))
            {
                (string? name, long bytes) = AuditFiles.Quarantine(_options.OpenWrite, CheckpointsPath, _checkpointsLength, "checkpoint", now);
                quarantineFile ??= name;
                quarantinedBytes += bytes;
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            return;
        }

        var recovered = new AuditEvent(AuditEventTypes.Recovered, new JsonObject
        {
            ["failedAt"] = AuditRecordCodec.FormatTime(_fault.Time),
            ["error"] = _fault.Kind,
            ["detail"] = _fault.Detail,
            ["rejectedAppends"] = Interlocked.Read(ref _rejectedAppends),
            ["quarantinedBytes"] = quarantinedBytes,
            ["quarantineFile"] = quarantineFile,
        });
        _batch.ResetWrittenCount();
        AuditRecord record = AuditRecordCodec.Encode(_batch, _scratch, _logIdBytes, _lastSeq + 1, now, _lastHash, recovered);
        if (!TryWriteRecords(_batch.WrittenSpan))
        {
            return;
        }

        _lastSeq = record.Seq;
        _lastHash = record.Hash;
        LogRecovered(_logger, _fault.Kind, Interlocked.Exchange(ref _rejectedAppends, 0), record.Seq);
        _fault = null;
        _probeTimer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _available = true;
        NotifyDurable([record]);
    }

    private void NotifyDurable(IReadOnlyList<AuditRecord> records)
    {
        if (_options.RecordsDurable is not { } notify)
        {
            return;
        }

        try
        {
            notify(records.ToArray());
        }
#pragma warning disable CA1031 // A subscriber's bug must not stop the audit writer.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            LogSubscriberFailed(_logger, ex);
        }
    }

    private void FailAll(IEnumerable<AuditWriterCommand> commands, AuditUnavailableException error)
    {
        foreach (AuditWriterCommand command in commands)
        {
            Interlocked.Increment(ref _rejectedAppends);
            command.Appended!.TrySetException(error);
        }
    }

    private AuditUnavailableException Unavailable()
        => new($"the audit log cannot write ({_fault?.Kind ?? "closed"}); actions that need auditing are refused until it recovers");

    private static string ErrorKind(Exception ex) => ex switch
    {
        IOException { HResult: ENOSPC or WindowsDiskFull } => "ENOSPC",
        IOException { HResult: EIO } => "EIO",
        UnauthorizedAccessException => "EACCES",
        _ => ex.GetType().Name,
    };

    private static void DisposeQuietly(ref Stream? stream)
    {
        try
        {
            stream?.Dispose();
        }
        catch (IOException)
        {
            // Disposing flushes; on a failing device that fails too, and the failure is already being handled.
        }

        stream = null;
    }

    [LoggerMessage(EventId = 13_001, Level = LogLevel.Critical, Message = "Audit log write failed ({Error}: {Detail}) after record {LastSeq}; audited actions are refused until it recovers")]
    private static partial void LogFailed(ILogger logger, string error, string detail, long lastSeq);

    [LoggerMessage(EventId = 13_002, Level = LogLevel.Warning, Message = "Audit log writes again after {Error}; {RejectedAppends} appends were refused; recovery recorded as {Seq}")]
    private static partial void LogRecovered(ILogger logger, string error, long rejectedAppends, long seq);

    [LoggerMessage(EventId = 13_003, Level = LogLevel.Error, Message = "Audit log closed while unable to write; no gateway.stop after record {LastSeq}")]
    private static partial void LogClosedWhileUnavailable(ILogger logger, long lastSeq);

    [LoggerMessage(EventId = 13_005, Level = LogLevel.Critical, Message = "The audit log writer failed; the log refuses appends until the gateway restarts")]
    private static partial void LogWriterFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 13_004, Level = LogLevel.Error, Message = "An audit log subscriber failed")]
    private static partial void LogSubscriberFailed(ILogger logger, Exception exception);
}
