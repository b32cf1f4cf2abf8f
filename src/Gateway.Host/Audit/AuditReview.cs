using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Gateway.Host.Configuration;
using Gateway.Host.Control;
using Gateway.Host.Grants;
using Gateway.Host.Recording;
using Gateway.Host.Storage;

namespace Gateway.Host.Audit;

/// <summary>
/// The reviewer's answers. The index finds the sessions; the figures come from the verified chain and each session's
/// recording is checked against the hash its closing record committed to. A session whose records fall outside the
/// verified chain, or that the chain knows and the index lost, is shown with that said, never as trustworthy.
/// </summary>
internal sealed class AuditReview(IControlStore store, LoadedConfiguration configuration, TimeProvider time)
{
    private static readonly TimeSpan ChainReuse = TimeSpan.FromSeconds(1);

    private readonly Lock _chainLock = new();
    private AuditChain? _chain;
    private DateTimeOffset _chainReadAt;

    public async Task<IReadOnlyList<AuditSessionView>> QueryAsync(AuditSessionQuery query, CancellationToken cancellationToken)
    {
        IReadOnlyList<AuditSession> indexed = await store.ListAuditSessionsAsync(query, cancellationToken);
        AuditChain chain = Chain();
        var views = new List<AuditSessionView>(indexed.Count);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (AuditSession session in indexed)
        {
            seen.Add(session.Id);
            views.Add(View(chain, session.Id, session));
        }

        // Sessions the chain holds but the index does not (an index edited or behind): shown, and said so.
        foreach ((string id, List<AuditRecord> records) in chain.BySession)
        {
            if (!seen.Contains(id) && records.FirstOrDefault(r => r.Type == AuditEventTypes.SessionOpened) is { } opened && Matches(query, opened))
            {
                views.Add(View(chain, id, null));
            }
        }

        return [.. views.OrderBy(view => view.StartedAt).ThenBy(view => view.Session, StringComparer.Ordinal).Take(query.Limit)];
    }

    public async Task<AuditSessionDetailView> ShowSessionAsync(string id, CancellationToken cancellationToken)
    {
        AuditSession? indexed = await store.GetAuditSessionAsync(id, cancellationToken);
        AuditChain chain = Chain();
        if (indexed is null && !chain.BySession.ContainsKey(id))
        {
            throw new GrantException(GrantError.NotFound, $"no session {id}");
        }

        return new AuditSessionDetailView(View(chain, id, indexed), Lines(chain, record => record.Session == id));
    }

    public async Task<AuditGrantView> ShowGrantAsync(string id, CancellationToken cancellationToken)
    {
        Grant grant = await store.GetGrantAsync(id, cancellationToken) ?? throw new GrantException(GrantError.NotFound, $"no grant {id}");
        AuditChain chain = Chain();
        var sessionIds = new List<string>();
        foreach (AuditRecord record in chain.ByGrant.GetValueOrDefault(id) ?? [])
        {
            if (record.Type == AuditEventTypes.SessionOpened && record.Session is { } session)
            {
                sessionIds.Add(session);
            }
        }

        foreach (AuditSession session in await store.ListAuditSessionsAsync(new AuditSessionQuery(null, null, id, null, null, 10_000), cancellationToken))
        {
            if (!sessionIds.Contains(session.Id))
            {
                sessionIds.Add(session.Id);
            }
        }

        List<AuditSessionView> sessions = [.. sessionIds.Select(session => View(chain, session, null)).OrderBy(view => view.StartedAt)];
        string status = chain.ByGrant.TryGetValue(id, out List<AuditRecord>? records)
            ? chain.StatusOf(records)
            : "NOT IN CHAIN: no audit record names this grant";
        return new AuditGrantView(GrantView.From(grant, time.GetUtcNow()), sessions, Lines(chain, record => record.Grant == id), status);
    }

    public async Task<string> TranscriptAsync(string id, CancellationToken cancellationToken)
    {
        AuditSessionDetailView detail = await ShowSessionAsync(id, cancellationToken);
        if (detail.Session.Recording is not { } recording)
        {
            throw new GrantException(GrantError.NotFound, $"session {id} has no recording");
        }

        string path = RecordingPath(configuration.Audit, recording);
        if (!File.Exists(path))
        {
            throw new GrantException(GrantError.NotFound, $"the recording of session {id} is missing");
        }

        using var text = new StringWriter();
        await text.WriteLineAsync($"# session {id}: recording {detail.Session.RecordingStatus}; audit records {detail.Session.AuditStatus}");
        Transcript.Write(path, text);
        return text.ToString();
    }

    public Task<AuditVerifyView> VerifyAsync(CancellationToken cancellationToken)
        => Task.Run(() => VerifyFiles(configuration.Audit), cancellationToken);

    /// <summary>
    /// Checks the chain, checkpoints, signatures and witness, then every recording a closing record commits to (file
    /// present, hash as committed, frames and record chain intact), and lists recordings no record accounts for.
    /// </summary>
    public static AuditVerifyView VerifyFiles(LoadedAudit audit)
    {
        AuditChain chain = AuditChain.Read(audit);
        var recordings = new List<RecordingCheckView>();
        var referenced = new HashSet<string>(StringComparer.Ordinal);
        foreach ((string session, List<AuditRecord> records) in chain.BySession)
        {
            AuditRecord? closed = records.LastOrDefault(r => r.Type == AuditEventTypes.SessionClosed);
            AuditRecord? opened = records.FirstOrDefault(r => r.Type == AuditEventTypes.SessionOpened);
            string? path = RecordingPathOf(opened, closed);
            if (path is null)
            {
                continue;
            }

            referenced.Add(Path.GetFullPath(RecordingPath(audit, path)));
            recordings.Add(new RecordingCheckView(session, path, RecordingStatusOf(audit, closed, path)));
        }

        var warnings = chain.Verification.Warnings.Select(warning => warning.ToString()).ToList();
        if (Directory.Exists(audit.RecordingDirectory))
        {
            foreach (string file in Directory.EnumerateFiles(audit.RecordingDirectory, "*" + RecordingFormat.Extension, SearchOption.AllDirectories))
            {
                if (!referenced.Contains(Path.GetFullPath(file)))
                {
                    warnings.Add($"recording {Path.GetRelativePath(audit.RecordingDirectory, file)} is not named by any audit record");
                }
            }
        }

        var errors = chain.Verification.Errors.Select(error => error.ToString()).ToList();
        errors.AddRange(recordings.Where(r => r.Status.StartsWith("corrupt", StringComparison.Ordinal) || r.Status.StartsWith("altered", StringComparison.Ordinal)
            || r.Status == "missing").Select(r => $"recording of {r.Session} ({r.Path}): {r.Status}"));
        warnings.AddRange(recordings.Where(r => r.Status.StartsWith("truncated", StringComparison.Ordinal) || r.Status.StartsWith("failed", StringComparison.Ordinal))
            .Select(r => $"recording of {r.Session} ({r.Path}): {r.Status}"));
        return new AuditVerifyView(errors.Count == 0, chain.Verification.RecordCount, chain.Verification.CheckpointCount, errors, warnings, recordings);
    }

    private AuditChain Chain()
    {
        lock (_chainLock)
        {
            DateTimeOffset now = time.GetUtcNow();
            if (_chain is null || now - _chainReadAt > ChainReuse || now < _chainReadAt)
            {
                _chain = AuditChain.Read(configuration.Audit);
                _chainReadAt = now;
            }

            return _chain;
        }
    }

    private AuditSessionView View(AuditChain chain, string id, AuditSession? indexed)
    {
        List<AuditRecord> records = chain.BySession.GetValueOrDefault(id) ?? [];
        AuditRecord? opened = records.FirstOrDefault(r => r.Type == AuditEventTypes.SessionOpened);
        AuditRecord? closed = records.LastOrDefault(r => r.Type == AuditEventTypes.SessionClosed);
        string? grantId = opened?.Grant ?? indexed?.GrantId;
        List<AuditRecord> grantRecords = grantId is null ? [] : chain.ByGrant.GetValueOrDefault(grantId)?.Where(r => r.Type.StartsWith("grant.", StringComparison.Ordinal)).ToList() ?? [];
        JsonObject grantData = grantRecords.LastOrDefault()?.Data ?? [];
        JsonObject open = opened?.Data ?? [];
        JsonObject close = closed?.Data ?? [];

        string auditStatus = opened is null
            ? "NOT IN CHAIN: the index has a row the audit log does not"
            : chain.StatusOf(records.Concat(grantRecords));
        if (opened is not null && indexed is not null && indexed.EndReason is { } reason && closed is not null && reason != Text(close, "reason"))
        {
            auditStatus = "INDEX DISAGREES with the chain on the end reason; the chain's is shown";
        }

        string? recording = RecordingPathOf(opened, closed);
        string recordingStatus = recording is null ? "off"
            : closed is null ? (File.Exists(RecordingPath(configuration.Audit, recording)) ? "recording (session open or never closed)" : "missing")
            : RecordingStatusOf(configuration.Audit, closed, recording);
        Dictionary<string, long> byRule = Counts(close["maskedByRule"] as JsonObject);
        Dictionary<string, long> byDetector = Counts(close["maskedByDetector"] as JsonObject);
        return new AuditSessionView(
            id,
            opened?.Agent ?? indexed?.Agent ?? "?",
            grantId ?? "?",
            opened?.Target ?? indexed?.Target ?? "?",
            Text(open, "scope") ?? indexed?.Scope ?? "?",
            Text(open, "access") ?? indexed?.Access ?? "?",
            Strings(grantData["tables"] as JsonArray),
            Text(open, "database"),
            Text(open, "client"),
            open["tls"]?.GetValue<bool>() ?? false,
            Text(open, "applicationName"),
            Time(grantData, "approvedAt"),
            Time(grantData, "expiresAt"),
            opened?.Time ?? indexed?.StartedAt ?? DateTimeOffset.MinValue,
            closed?.Time,
            closed is null ? "(open: no closing record)" : Text(close, "reason") ?? "?",
            Text(close, "detail"),
            Text(grantData, "policy") ?? "?",
            [.. grantRecords.Where(r => r.Type is AuditEventTypes.GrantApproved or AuditEventTypes.GrantApprovalRecorded or AuditEventTypes.GrantDenied)
                .Select(r => new DecisionView(Text(r.Data, "by") ?? "?", r.Type == AuditEventTypes.GrantDenied ? "denied" : "approved", r.Time, Text(r.Data, "reason")))],
            Text(grantData, "task") ?? "?",
            Text(grantData, "justification"),
            Number(close, "statements"),
            Number(close, "rowsReturned"),
            byRule.Values.Sum() + byDetector.Values.Sum(),
            byRule,
            byDetector,
            recording,
            recordingStatus,
            auditStatus);
    }

    private static string RecordingStatusOf(LoadedAudit audit, AuditRecord? closed, string relativePath)
    {
        string path = RecordingPath(audit, relativePath);
        if (!File.Exists(path))
        {
            return "missing";
        }

        var recording = closed?.Data["recording"] as JsonObject;
        if (recording?["failure"] is JsonValue failure && failure.TryGetValue(out string? why))
        {
            // The session was ended because its recording could not be written; the file holds what was written.
            return $"failed while recording ({why}); the session was ended";
        }

        string? committed = recording?["sha256"]?.GetValue<string>();
        if (committed is not null)
        {
            using FileStream file = File.OpenRead(path);
            string actual = Convert.ToHexStringLower(SHA256.HashData(file));
            if (!string.Equals(actual, committed, StringComparison.OrdinalIgnoreCase))
            {
                return "altered: the file's SHA-256 differs from the one its closing audit record committed to";
            }
        }

        RecordingVerification verification = RecordingReader.Verify(path);
        return verification.Status switch
        {
            RecordingStatus.Sealed when verification.SealJson?.Contains(RecordingRecovery.CrashedReason, StringComparison.Ordinal) == true
                => $"truncated: the gateway crashed; sealed at its next start, readable to its last flushed frame ({verification.Records} records)",
            RecordingStatus.Sealed => committed is null ? "sealed, but no closing record commits to it" : "verified",
            RecordingStatus.Truncated => $"truncated (readable to frame {verification.Frames}; {verification.Detail})",
            _ => $"corrupt (frame {verification.BadFrame}, record {verification.BadRecord}, offset {verification.BadOffset}: {verification.Detail})",
        };
    }

    /// <summary>The recording a session's records name: the closing record's, else the opening record's.</summary>
    private static string? RecordingPathOf(AuditRecord? opened, AuditRecord? closed)
        => (closed?.Data["recording"] is JsonObject sealedRecording ? Text(sealedRecording, "path") : null)
            ?? (opened is null ? null : Text(opened.Data, "recording"));

    private static string RecordingPath(LoadedAudit audit, string relativePath) => Path.Combine(audit.RecordingDirectory, relativePath);

    private static bool Matches(AuditSessionQuery query, AuditRecord opened)
        => (query.Agent is null || opened.Agent == query.Agent)
            && (query.Target is null || opened.Target == query.Target)
            && (query.GrantId is null || opened.Grant == query.GrantId)
            && (query.From is null || opened.Time >= query.From)
            && (query.To is null || opened.Time < query.To);

    private static List<JsonElement> Lines(AuditChain chain, Func<AuditRecord, bool> selected)
        => [.. chain.Records.Where(pair => selected(pair.Record)).Select(pair => JsonDocument.Parse(pair.Line).RootElement.Clone())];

    private static string? Text(JsonObject data, string name)
        => data[name] is JsonValue value && value.TryGetValue(out string? text) ? text : null;

    private static long Number(JsonObject data, string name)
        => data[name] is JsonValue value && value.TryGetValue(out long number) ? number : 0;

    private static DateTimeOffset? Time(JsonObject data, string name)
        => data[name] is JsonValue value && value.TryGetValue(out DateTimeOffset at) ? at
            : data[name] is JsonValue text && text.TryGetValue(out string? s) && DateTimeOffset.TryParse(s, System.Globalization.CultureInfo.InvariantCulture, out DateTimeOffset parsed) ? parsed
            : null;

    private static List<string> Strings(JsonArray? array)
        => array is null ? [] : [.. array.Select(node => node?.GetValue<string>()).OfType<string>()];

    private static Dictionary<string, long> Counts(JsonObject? data)
    {
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach ((string name, JsonNode? value) in data ?? [])
        {
            if (value is JsonValue number && number.TryGetValue(out long count))
            {
                counts[name] = count;
            }
        }

        return counts;
    }
}
