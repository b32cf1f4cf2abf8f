using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace Gateway.Host.Audit;

/// <summary>
/// The tamper-evident audit log: an append-only, hash-chained sequence of JSON lines in rotated segments, with signed
/// checkpoints on a timer (also when idle) sent to a witness outside the gateway. One writer loop batches every pending
/// append into one write and one fsync (group commit); <see cref="AppendAsync"/> completes only once its record is
/// durable. When a write or fsync fails the log fails closed: appends throw <see cref="AuditUnavailableException"/>
/// until a probe writes again and records the outage.
/// </summary>
internal sealed partial class AuditLog : IAsyncDisposable
{
    private readonly AuditLogOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly AuditSigningKey _key;
    private readonly byte[] _logIdBytes;
    private readonly Channel<AuditWriterCommand> _commands = Channel.CreateUnbounded<AuditWriterCommand>(new UnboundedChannelOptions { SingleReader = true });
    private readonly AuditWitnessExporter _witness;
    private readonly ITimer _checkpointTimer;
    private readonly ITimer _probeTimer;
    private readonly FileStream _directoryLock;
    private Task _writer = Task.CompletedTask;
    private volatile bool _available = true;
    private int _probePending;
    private long _rejectedAppends;
    private int _disposed;

    private AuditLog(AuditLogOptions options, TimeProvider time, ILogger logger, AuditManifest manifest, AuditSigningKey key, AuditTail tail, FileStream directoryLock)
    {
        _directoryLock = directoryLock;
        _options = options;
        _time = time;
        _logger = logger;
        _key = key;
        LogId = manifest.LogId;
        _logIdBytes = Convert.FromHexString(manifest.LogId);
        _segmentNumber = tail.SegmentNumber;
        _segmentLength = tail.SegmentLength;
        _lastSeq = tail.LastSeq;
        _lastHash = tail.LastHash;
        _checkpointsLength = tail.CheckpointsLength;
        _lastCheckpointHash = tail.LastCheckpointHash;
        _lastCheckpointTime = tail.LastCheckpointTime;
        _witness = new AuditWitnessExporter(options, key.PublicKeyPem, logger);
        _checkpointTimer = time.CreateTimer(static state => ((AuditLog)state!).Post(AuditWriterCommand.Checkpoint()), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _probeTimer = time.CreateTimer(static state => ((AuditLog)state!).PostProbe(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <summary>False from a failed write or fsync until a probe has written the <c>audit.recovered</c> record.</summary>
    public bool IsAvailable => _available;

    /// <summary>The log's random id (32 lowercase hex digits), bound into every hash.</summary>
    public string LogId { get; }

    /// <summary>SHA-256 of the checkpoint key's SubjectPublicKeyInfo, lowercase hex.</summary>
    public string KeyId => _key.KeyId;

    /// <summary>The checkpoint key's public half (SubjectPublicKeyInfo PEM), for <c>gateway audit verify</c>.</summary>
    public string PublicKeyPem => _key.PublicKeyPem;

    /// <summary>
    /// Opens (or creates) the log in <see cref="AuditLogOptions.Directory"/>: recovers a torn tail into a quarantine
    /// file, records an unclean shutdown if the last run did not stop cleanly, appends <c>gateway.start</c>, and starts
    /// the checkpoint timer. Throws if the directory holds a log it cannot continue.
    /// </summary>
    public static async Task<AuditLog> OpenAsync(AuditLogOptions options, TimeProvider time, ILogger logger, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.CheckpointInterval, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.ProbeInterval, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.SegmentMaxBytes, 4096);
        if (options.WitnessFile is { } witness
            && string.Equals(Path.GetDirectoryName(Path.GetFullPath(witness)), Path.GetFullPath(options.Directory).TrimEnd(Path.DirectorySeparatorChar), StringComparison.Ordinal))
        {
            throw new ArgumentException("the witness file must be outside the log directory: whoever can rewrite the log must not be able to rewrite the witness", nameof(options));
        }

        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(options.Directory);
        }
        else
        {
            Directory.CreateDirectory(options.Directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        FileStream directoryLock = LockDirectory(options.Directory);
        AuditSigningKey? key = null;
        AuditLog log;
        try
        {
            (AuditManifest manifest, key) = LoadOrCreateManifest(options.Directory, time.GetUtcNow());
            AuditTail tail = RecoverTail(options, manifest.LogId, time.GetUtcNow());
            log = new AuditLog(options, time, logger, manifest, key, tail, directoryLock);
            log._writer = Task.Run(log.RunWriterAsync, CancellationToken.None);
            try
            {
                if (tail.IsUnclean)
                {
                    LogUncleanShutdown(logger, tail.LastSeq, tail.QuarantinedBytes, tail.QuarantineFile ?? "none");
                    await log.AppendAsync(new AuditEvent(AuditEventTypes.UncleanShutdown, new()
                    {
                        ["lastSeq"] = tail.LastSeq,
                        ["quarantinedBytes"] = tail.QuarantinedBytes,
                        ["quarantineFile"] = tail.QuarantineFile,
                    }), cancellationToken);
                }

                await log.AppendAsync(new AuditEvent(AuditEventTypes.GatewayStart, new() { ["keyId"] = key.KeyId }), cancellationToken);
            }
            catch
            {
                await log.DisposeAsync();
                throw;
            }
        }
        catch
        {
            key?.Dispose();
            await directoryLock.DisposeAsync();
            throw;
        }

        log._checkpointTimer.Change(options.CheckpointInterval, options.CheckpointInterval);
        return log;
    }

    /// <summary>
    /// Appends an event and completes once its record is durable (written and fsynced with its batch). Throws
    /// <see cref="AuditUnavailableException"/> when the log has failed or is closed: the audited action must not run.
    /// Cancelling stops the wait only; the record may still be written.
    /// </summary>
    public ValueTask<AuditRecord> AppendAsync(AuditEvent auditEvent, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(auditEvent);
        if (!_available)
        {
            Interlocked.Increment(ref _rejectedAppends);
            return ValueTask.FromException<AuditRecord>(new AuditUnavailableException("the audit log cannot write; actions that need auditing are refused until it recovers"));
        }

        var command = AuditWriterCommand.Append(auditEvent);
        if (!_commands.Writer.TryWrite(command))
        {
            return ValueTask.FromException<AuditRecord>(new AuditUnavailableException("the audit log is closed"));
        }

        Task<AuditRecord> appended = command.Appended!.Task;
        return new ValueTask<AuditRecord>(cancellationToken.CanBeCanceled ? appended.WaitAsync(cancellationToken) : appended);
    }

    /// <summary>Completes once everything queued before it has been handled (tests await this instead of sleeping).</summary>
    internal Task WhenWrittenAsync()
    {
        var barrier = AuditWriterCommand.Barrier();
        return _commands.Writer.TryWrite(barrier) ? barrier.Done!.Task : Task.CompletedTask;
    }

    /// <summary>Writes <c>gateway.stop</c> and a final checkpoint, hands the checkpoint to the witness, and closes.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _checkpointTimer.DisposeAsync();
        await _probeTimer.DisposeAsync();
        Post(AuditWriterCommand.Stop());
        await _writer;
        await _witness.DisposeAsync();
        _key.Dispose();
        await _directoryLock.DisposeAsync();
    }

    /// <summary>Holds <c>audit.lock</c> exclusively (flock on Unix) so that two processes never write one chain.</summary>
    private static FileStream LockDirectory(string directory)
    {
        try
        {
            return new FileStream(Path.Combine(directory, AuditFiles.Lock), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1);
        }
        catch (IOException ex)
        {
            throw new IOException("the audit log directory is in use by another gateway process", ex);
        }
    }

    private void Post(AuditWriterCommand command) => _commands.Writer.TryWrite(command);

    /// <summary>One probe queued at a time, however often the timer fires while the writer is busy.</summary>
    private void PostProbe()
    {
        if (Interlocked.Exchange(ref _probePending, 1) == 0)
        {
            Post(AuditWriterCommand.Probe());
        }
    }

    [LoggerMessage(EventId = 13_000, Level = LogLevel.Warning, Message = "Audit log was not shut down cleanly: last record {LastSeq}, {QuarantinedBytes} torn bytes quarantined in {QuarantineFile}")]
    private static partial void LogUncleanShutdown(ILogger logger, long lastSeq, long quarantinedBytes, string quarantineFile);
}
