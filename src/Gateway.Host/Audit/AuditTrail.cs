using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Gateway.Core.Sessions;
using Gateway.Core.Transport;
using Gateway.Host.Configuration;
using Gateway.Host.Grants;
using Gateway.Host.Recording;
using Gateway.Host.Storage;
using Microsoft.Extensions.Logging;

namespace Gateway.Host.Audit;

/// <summary>
/// The host's single writer of audit events: grant decisions, session opens and closes, refused logins. A session
/// opens only after its opening record is durable, and its closing record carries the seal of its recording, so the
/// chain commits to every recording. The index (for the reviewer's queries) is fed behind the chain, in batches.
/// </summary>
internal sealed partial class AuditTrail : IPgSessionObserver, IAsyncDisposable
{
    /// <summary>The end reason of a session the gateway found open after an unclean shutdown.</summary>
    public const string CrashedReason = "GatewayCrashed";

    private static readonly TimeSpan RetryInterval = TimeSpan.FromSeconds(1);

    private readonly AuditLogOptions _options;
    private readonly LoadedAudit _audit;
    private readonly IControlStore _store;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Channel<object> _index = Channel.CreateUnbounded<object>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ConcurrentDictionary<string, Task> _closing = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();
    private readonly ILoggerFactory _loggers;
    private AuditLog? _log;
    private Task _indexer = Task.CompletedTask;
    private ITimer? _watch;
    private bool _wasAvailable = true;
    private int _disposed;

    /// <param name="audit">Where the log and the recordings live, the checkpoint interval and the witness.</param>
    /// <param name="store">The index.</param>
    /// <param name="time">The clock of records and checkpoints.</param>
    /// <param name="loggers">For the log's own and this trail's messages.</param>
    /// <param name="openWrite">Opens the log's files for writing; tests pass one that fails like a full disk.</param>
    public AuditTrail(LoadedAudit audit, IControlStore store, TimeProvider time, ILoggerFactory loggers, Func<string, Stream>? openWrite = null)
    {
        _audit = audit;
        _options = new AuditLogOptions
        {
            Directory = audit.Directory,
            CheckpointInterval = audit.CheckpointInterval,
            WitnessFile = audit.WitnessFile,
            WitnessUrl = audit.WitnessUrl,
        };
        if (openWrite is not null)
        {
            _options = _options with { OpenWrite = openWrite };
        }

        _store = store;
        _time = time;
        _loggers = loggers;
        _logger = loggers.CreateLogger<AuditTrail>();
    }

    /// <summary>Raised (on a timer thread) when the audit log stops accepting records: live sessions must end.</summary>
    public event Action? BecameUnavailable;

    /// <summary>False before <see cref="StartAsync"/> and while the log cannot write.</summary>
    public bool IsAvailable => _log?.IsAvailable == true;

    public string LogId => Log.LogId;

    private AuditLog Log => _log ?? throw new InvalidOperationException("the audit trail has not started");

    /// <summary>
    /// Opens the log (recovering after a crash: the log itself records the unclean shutdown) and records the
    /// configuration this run enforces, before any listener starts.
    /// </summary>
    public async Task StartAsync(AuditEvent configurationLoaded, CancellationToken cancellationToken)
    {
        _log = await AuditLog.OpenAsync(_options, _time, _loggers.CreateLogger<AuditLog>(), cancellationToken);
        _indexer = Task.Run(IndexAsync, CancellationToken.None);
        _watch = _time.CreateTimer(static state => ((AuditTrail)state!).Watch(), this, RetryInterval, RetryInterval);
        await CloseAbandonedSessionsAsync(cancellationToken);
        await AppendAsync(configurationLoaded, cancellationToken);
    }

    /// <summary>
    /// After a crash (kill -9, power loss) the chain holds sessions that opened and never closed. Each recording is
    /// sealed as crashed (readable to its last whole frame) and each session gets its closing record now, with reason
    /// <c>GatewayCrashed</c> and the hash of its recording, so that the recording is accounted for and a later edit of
    /// it is detectable.
    /// </summary>
    private async Task CloseAbandonedSessionsAsync(CancellationToken cancellationToken)
    {
        // Only the records are needed here, not a verification of the whole chain: the log checked its own tail on open.
        var open = new Dictionary<string, AuditRecord>(StringComparer.Ordinal);
        foreach ((AuditRecord record, string _) in AuditChain.ReadRecords(_audit.Directory))
        {
            if (record.Session is not { } id)
            {
                continue;
            }

            if (record.Type == AuditEventTypes.SessionOpened)
            {
                open.TryAdd(id, record);
            }
            else if (record.Type == AuditEventTypes.SessionClosed)
            {
                open.Remove(id);
            }
        }

        const string Detail = "the gateway stopped without closing the session (unclean shutdown); found at the next start";
        foreach ((string session, AuditRecord opened) in open)
        {
            var data = new JsonObject
            {
                ["reason"] = CrashedReason,
                ["detail"] = Detail,
                ["opened"] = true,
            };
            if (opened.Data["recording"] is JsonValue value && value.TryGetValue(out string? relative))
            {
                string path = Path.Combine(_audit.RecordingDirectory, relative);
                var recording = new JsonObject { ["path"] = relative, ["crashed"] = true };
                if (File.Exists(path))
                {
                    // Sealed first (cut back to its last whole frame, the tail kept as .partial, a "gateway crashed"
                    // seal appended), then hashed: the hash committed here is of the file as it stays.
                    if (RecordingRecovery.SealAbandoned(path, _time) is { } seal)
                    {
                        recording["records"] = seal.Records;
                        recording["chainHead"] = seal.ChainHead;
                    }

                    await using FileStream file = File.OpenRead(path);
                    recording["sha256"] = Convert.ToHexStringLower(await SHA256.HashDataAsync(file, cancellationToken));
                    recording["bytes"] = file.Length;
                }

                data["recording"] = recording;
            }

            AuditRecord closed = await AppendAsync(
                new AuditEvent(AuditEventTypes.SessionClosed) { Agent = opened.Agent, Grant = opened.Grant, Session = session, Target = opened.Target, Data = data },
                cancellationToken);
            AuditSession? indexed = await _store.GetAuditSessionAsync(session, cancellationToken);
            if (indexed is not null)
            {
                _index.Writer.TryWrite(indexed with { EndedAt = closed.Time, EndReason = CrashedReason, EndDetail = Detail, ClosedSeq = closed.Seq });
            }
        }
    }

    /// <summary>Records a grant's change; throws <see cref="AuditUnavailableException"/> when it cannot.</summary>
    public Task RecordGrantAsync(string type, Grant grant, string by, string? reason, CancellationToken cancellationToken)
        => AppendAsync(GrantEvent(type, grant, by, reason), cancellationToken).AsTask();

    /// <summary>Records a grant's change in the background, waiting for the log to be writable (an expiry, a change already stored).</summary>
    public void RecordGrantWhenWritable(string type, Grant grant, string by, string? reason)
    {
        Track(type + ":" + grant.Id + ":" + grant.Version, AppendUntilWrittenAsync(GrantEvent(type, grant, by, reason)));
    }

    private static AuditEvent GrantEvent(string type, Grant grant, string by, string? reason)
    {
        var data = new JsonObject
        {
            ["by"] = by,
            ["status"] = grant.Status.ToString().ToLowerInvariant(),
            ["scope"] = grant.Scope,
            ["access"] = grant.Access,
            ["tables"] = new JsonArray([.. grant.Tables.Select(table => JsonValue.Create(table))]),
            ["policy"] = grant.Policy,
            ["task"] = grant.Task,
            ["justification"] = grant.Justification,
            ["duration"] = DurationText.Format(grant.Duration),
            ["requestedAt"] = grant.RequestedAt,
            ["approvedAt"] = grant.ApprovedAt,
            ["expiresAt"] = grant.ExpiresAt,
        };
        if (reason is not null)
        {
            data["reason"] = reason;
        }

        return new AuditEvent(type) { Agent = grant.Agent, Grant = grant.Id, Target = grant.Target, Data = data };
    }

    /// <summary>Records an event that concerns no grant or session (identities created, configuration loaded).</summary>
    public Task RecordAsync(AuditEvent auditEvent, CancellationToken cancellationToken) => AppendAsync(auditEvent, cancellationToken).AsTask();

    /// <summary>
    /// The opening record, durable before the gateway connects upstream: a session that cannot be recorded does not
    /// start. Throws <see cref="AuditUnavailableException"/> when the log cannot take it.
    /// </summary>
    public async Task<AuditSession> RecordOpeningAsync(GrantSessionState state, PgAuthorizationContext context, CancellationToken cancellationToken)
    {
        Grant grant = state.Grant;
        DateTimeOffset now = _time.GetUtcNow();
        var session = new AuditSession
        {
            Id = state.SessionId,
            LogId = Log.LogId,
            GrantId = grant.Id,
            Agent = grant.Agent,
            Target = grant.Target,
            Scope = grant.Scope,
            Access = grant.Access,
            Database = context.Startup.Parameters.Database,
            ClientAddress = context.Startup.RemoteEndPoint?.ToString(),
            Tls = context.Startup.IsTls,
            ApplicationName = context.Startup.Parameters["application_name"],
            StartedAt = now,
            Recording = state.RecordingPath,
        };
        var data = new JsonObject
        {
            ["scope"] = session.Scope,
            ["access"] = session.Access,
            ["database"] = session.Database,
            ["client"] = session.ClientAddress,
            ["tls"] = session.Tls,
            ["applicationName"] = session.ApplicationName,
            ["grantExpiresAt"] = grant.ExpiresAt,
            ["recording"] = session.Recording,
        };
        AuditRecord record = await AppendAsync(
            new AuditEvent(AuditEventTypes.SessionOpened) { Agent = grant.Agent, Grant = grant.Id, Session = session.Id, Target = grant.Target, Data = data },
            cancellationToken);
        session = session with { OpenedSeq = record.Seq };
        state.Audit = session;
        _index.Writer.TryWrite(session);
        return session;
    }

    public void OnOpened(PgSession session)
    {
        if (session.State is GrantSessionState state)
        {
            state.Opened = true;
        }
    }

    public void OnClosed(PgSession session)
    {
        if (session.State is GrantSessionState state)
        {
            Track(state.SessionId, CloseAsync(state, session.CloseReason, session.CloseDetail, session.Statements, session.RowsReturned, session.BytesFromClient, session.BytesFromServer, session.ClosedAt));
        }
    }

    public void OnLoginFailed(PgLoginFailure failure)
    {
        if (failure.State is GrantSessionState state)
        {
            // Allowed, recorded as opened, then the upstream failed: close what was opened.
            Track(state.SessionId, CloseAsync(state, failure.Reason, failure.Detail, 0, 0, 0, 0, failure.At));
            return;
        }

        string type = failure.Reason switch
        {
            CloseReason.AuthenticationFailed => AuditEventTypes.AuthenticationFailed,
            CloseReason.AuthorizationDenied or CloseReason.ServiceUnavailable => AuditEventTypes.SessionRefused,
            _ => AuditEventTypes.ConnectionFailed,
        };
        var data = new JsonObject
        {
            ["reason"] = failure.Reason.ToString(),
            ["detail"] = failure.Detail,
            ["client"] = failure.RemoteEndPoint?.ToString(),
            ["user"] = failure.Startup?.User,
            ["database"] = failure.Startup?.Database,
        };
        string? grantId = failure.Startup?.User is { } user && user.StartsWith("g_", StringComparison.Ordinal) ? user : null;
        var auditEvent = new AuditEvent(type) { Agent = failure.Identity, Grant = grantId, Target = failure.Target, Data = data };

        // Best effort when the log is down: a refused login changes nothing, and the refusal itself is logged.
        _ = AppendQuietlyAsync(auditEvent);
    }

    /// <summary>Completes when the closing records started so far are written and the index has caught up with them.</summary>
    public async Task SettledAsync()
    {
        await Task.WhenAll(_closing.Values);
        var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _index.Writer.TryWrite(reached);
        await reached.Task;
    }

    /// <summary>Waits for closing records still being written, then stops the indexer.</summary>
    public async ValueTask DisposeAsync()
    {
        // The hosted service disposes it at shutdown, the container once more.
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        if (_watch is not null)
        {
            await _watch.DisposeAsync();
        }

        Task closing = Task.WhenAll(_closing.Values);
        await Task.WhenAny(closing, Task.Delay(TimeSpan.FromSeconds(10), CancellationToken.None));
        await _stopping.CancelAsync();
        _index.Writer.TryComplete();
        await _indexer;
        if (_log is not null)
        {
            // Writes gateway.stop and a final checkpoint: the next start knows this one ended cleanly.
            await _log.DisposeAsync();
        }

        _stopping.Dispose();
    }

    /// <summary>Keeps a background write visible to <see cref="DisposeAsync"/> until it finishes.</summary>
    private void Track(string key, Task writing)
    {
        _closing[key] = writing;
        _ = writing.ContinueWith(
            (_, k) => _closing.TryRemove((string)k!, out Task? _), key, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    /// <summary>
    /// Seals the recording, then writes the closing record with the seal. While the log is down the record waits and
    /// is written when it is back: a session that ran is never left without its end.
    /// </summary>
    private async Task CloseAsync(
        GrantSessionState state, CloseReason reason, string? detail, long statements, long rows, long fromClient, long fromServer, DateTimeOffset? closedAt)
    {
        try
        {
            RecordingSeal? seal = state.Recording is { } recording ? await recording.CompleteAsync(reason.ToString(), fromClient, fromServer, statements) : null;
            Grant grant = state.Grant;
            var maskedByRule = new Dictionary<string, long>(state.Masking?.ByRule ?? new Dictionary<string, long>(), StringComparer.Ordinal);
            var maskedByDetector = new Dictionary<string, long>(state.Masking?.ByDetector ?? new Dictionary<string, long>(), StringComparer.Ordinal);
            var data = new JsonObject
            {
                ["reason"] = reason.ToString(),
                ["detail"] = detail,
                ["opened"] = state.Opened,
                ["statements"] = statements,
                ["rowsReturned"] = rows,
                ["bytesFromClient"] = fromClient,
                ["bytesFromServer"] = fromServer,
                ["maskedByRule"] = ToJson(maskedByRule),
                ["maskedByDetector"] = ToJson(maskedByDetector),
            };
            if (seal is not null)
            {
                data["recording"] = new JsonObject
                {
                    ["path"] = state.RecordingPath,
                    ["sha256"] = seal.FileSha256,
                    ["bytes"] = seal.FileBytes,
                    ["records"] = seal.Records,
                    ["chainHead"] = seal.ChainHead,
                    ["truncated"] = seal.Truncated,
                    ["failure"] = seal.Failure,
                };
            }

            var auditEvent = new AuditEvent(AuditEventTypes.SessionClosed) { Agent = grant.Agent, Grant = grant.Id, Session = state.SessionId, Target = grant.Target, Data = data };
            AuditRecord record = await AppendUntilWrittenAsync(auditEvent);
            // The index queue is in order, so this update lands after the opening row.
            if (state.Audit is { } opened)
            {
                _index.Writer.TryWrite(opened with
                {
                    EndedAt = closedAt ?? record.Time,
                    EndReason = reason.ToString(),
                    EndDetail = detail,
                    Statements = statements,
                    RowsReturned = rows,
                    BytesFromClient = fromClient,
                    BytesFromServer = fromServer,
                    MaskedByRule = maskedByRule,
                    MaskedByDetector = maskedByDetector,
                    Recording = state.RecordingPath,
                    RecordingSha256 = seal?.FileSha256,
                    RecordingChainHead = seal?.ChainHead,
                    RecordingRecords = seal?.Records ?? 0,
                    RecordingTruncated = seal?.Truncated ?? false,
                    ClosedSeq = record.Seq,
                });
            }
        }
#pragma warning disable CA1031 // A failed close must not take the gateway down; it is logged and the chain shows an open session without an end.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            LogCloseFailed(_logger, state.SessionId, exception.GetType().Name, exception.Message);
        }
    }

    private async ValueTask<AuditRecord> AppendAsync(AuditEvent auditEvent, CancellationToken cancellationToken)
    {
        AuditRecord record = await Log.AppendAsync(auditEvent, cancellationToken);
        _index.Writer.TryWrite(new AuditIndexRecord(Log.LogId, record.Seq, record.Time, record.Type, record.Agent, record.Grant, record.Session, IndexLine(record)));
        return record;
    }

    private async Task<AuditRecord> AppendUntilWrittenAsync(AuditEvent auditEvent)
    {
        while (true)
        {
            try
            {
                return await AppendAsync(auditEvent, CancellationToken.None);
            }
            catch (AuditUnavailableException) when (!_stopping.IsCancellationRequested)
            {
                await Task.Delay(RetryInterval, _time, CancellationToken.None);
            }
        }
    }

    private async Task AppendQuietlyAsync(AuditEvent auditEvent)
    {
        try
        {
            await AppendAsync(auditEvent, CancellationToken.None);
        }
        catch (AuditUnavailableException)
        {
            LogEventLost(_logger, auditEvent.Type);
        }
    }

    private void Watch()
    {
        bool available = IsAvailable;
        if (_wasAvailable && !available)
        {
            LogUnavailable(_logger);
            BecameUnavailable?.Invoke();
        }

        _wasAvailable = available;
    }

    /// <summary>Feeds the index in batches, behind the chain; a failed batch is retried, never dropped.</summary>
    private async Task IndexAsync()
    {
        var records = new List<AuditIndexRecord>();
        var sessions = new List<AuditSession>();
        var barriers = new List<TaskCompletionSource>();
        ChannelReader<object> reader = _index.Reader;
        while (await reader.WaitToReadAsync(CancellationToken.None))
        {
            while (records.Count + sessions.Count < 500 && reader.TryRead(out object? item))
            {
                switch (item)
                {
                    case AuditIndexRecord record:
                        records.Add(record);
                        break;
                    case AuditSession session:
                        sessions.Add(session);
                        break;
                    case TaskCompletionSource barrier:
                        barriers.Add(barrier);
                        break;
                }
            }

            while (true)
            {
                try
                {
                    await _store.InsertAuditRecordsAsync(records, CancellationToken.None);
                    foreach (AuditSession session in sessions)
                    {
                        await _store.UpsertAuditSessionAsync(session, CancellationToken.None);
                    }

                    break;
                }
#pragma warning disable CA1031 // The index is rebuilt from the chain if need be; the loop must survive a store outage.
                catch (Exception exception) when (!_stopping.IsCancellationRequested)
#pragma warning restore CA1031
                {
                    LogIndexFailed(_logger, exception.GetType().Name);
                    await Task.Delay(RetryInterval, _time, CancellationToken.None);
                }
                catch (Exception) when (_stopping.IsCancellationRequested)
                {
                    break;
                }
            }

            records.Clear();
            sessions.Clear();
            foreach (TaskCompletionSource barrier in barriers)
            {
                barrier.TrySetResult();
            }

            barriers.Clear();
        }
    }

    /// <summary>The record as the index keeps it, for display; reviews read the chain itself.</summary>
    private static string IndexLine(AuditRecord record) => new JsonObject
    {
        ["seq"] = record.Seq,
        ["time"] = record.Time,
        ["type"] = record.Type,
        ["agent"] = record.Agent,
        ["grant"] = record.Grant,
        ["session"] = record.Session,
        ["target"] = record.Target,
        ["data"] = record.Data.DeepClone(),
        ["hash"] = record.Hash,
    }.ToJsonString();

    private static JsonObject ToJson(Dictionary<string, long> counts)
    {
        var json = new JsonObject();
        foreach ((string name, long count) in counts)
        {
            json[name] = count;
        }

        return json;
    }

    [LoggerMessage(EventId = 13_100, Level = LogLevel.Critical, Message = "The audit log stopped accepting records: new sessions are refused and live ones end until it is writable")]
    private static partial void LogUnavailable(ILogger logger);

    [LoggerMessage(EventId = 13_101, Level = LogLevel.Error, Message = "Closing record of session {SessionId} failed: {ExceptionType}: {Message}")]
    private static partial void LogCloseFailed(ILogger logger, string sessionId, string exceptionType, string message);

    [LoggerMessage(EventId = 13_102, Level = LogLevel.Warning, Message = "Audit event {Type} not recorded: the audit log is unavailable")]
    private static partial void LogEventLost(ILogger logger, string type);

    [LoggerMessage(EventId = 13_103, Level = LogLevel.Warning, Message = "Audit index update failed ({ExceptionType}); retrying")]
    private static partial void LogIndexFailed(ILogger logger, string exceptionType);
}
