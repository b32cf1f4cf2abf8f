using System.Data.Common;
using System.Text.Json;
using Gateway.Host.Audit;
using Gateway.Host.Grants;
using Gateway.Host.Identities;

namespace Gateway.Host.Storage;

/// <summary>
/// The SQL both stores share. Each row keeps the whole record as JSON (the source of truth) beside the columns that
/// queries filter on; times are Unix milliseconds, so the same statements run on SQLite and PostgreSQL. Every
/// statement is fully parameterised and names its tables exactly: nothing from a client ever reaches this SQL as
/// text (the CVE-2025-12819 lesson).
/// </summary>
internal abstract class SqlControlStore : IControlStore
{
    private const string GrantColumns = "id, agent, target, status, requested_at, expires_at, version, body";

    /// <summary>A null that PostgreSQL must still see as bigint (an untyped null would be text).</summary>
    private static readonly object NullInt64 = new();

    protected abstract string Schema { get; }

    /// <summary>
    /// The tables and indexes, written once for both stores: SQLite gives the <c>text</c> and <c>bigint</c> columns
    /// TEXT and INTEGER affinity, as PostgreSQL gives them its types. Each <see cref="Schema"/> wraps it.
    /// </summary>
    protected const string Tables = """
        CREATE TABLE IF NOT EXISTS gateway_grants (
            id text PRIMARY KEY,
            agent text NOT NULL,
            target text NOT NULL,
            status text NOT NULL,
            requested_at bigint NOT NULL,
            expires_at bigint,
            version bigint NOT NULL,
            body text NOT NULL);
        CREATE INDEX IF NOT EXISTS gateway_grants_agent ON gateway_grants (agent, requested_at);
        CREATE INDEX IF NOT EXISTS gateway_grants_status ON gateway_grants (status, expires_at);
        CREATE TABLE IF NOT EXISTS gateway_identities (name text PRIMARY KEY, body text NOT NULL);
        CREATE TABLE IF NOT EXISTS gateway_audit_records (
            log_id text NOT NULL,
            seq bigint NOT NULL,
            time bigint NOT NULL,
            type text NOT NULL,
            agent text,
            grant_id text,
            session_id text,
            line text NOT NULL,
            PRIMARY KEY (log_id, seq));
        CREATE INDEX IF NOT EXISTS gateway_audit_records_grant ON gateway_audit_records (grant_id);
        CREATE INDEX IF NOT EXISTS gateway_audit_records_session ON gateway_audit_records (session_id);
        CREATE TABLE IF NOT EXISTS gateway_audit_sessions (
            id text PRIMARY KEY,
            agent text NOT NULL,
            target text NOT NULL,
            grant_id text NOT NULL,
            started_at bigint NOT NULL,
            body text NOT NULL);
        CREATE INDEX IF NOT EXISTS gateway_audit_sessions_agent ON gateway_audit_sessions (agent, started_at);
        CREATE INDEX IF NOT EXISTS gateway_audit_sessions_target ON gateway_audit_sessions (target, started_at);
        CREATE INDEX IF NOT EXISTS gateway_audit_sessions_grant ON gateway_audit_sessions (grant_id);
        """;

    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        await using DbConnection connection = await OpenAsync(cancellationToken);
        await using DbCommand command = connection.CreateCommand();
        command.CommandText = Schema;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<Grant?> GetGrantAsync(string id, CancellationToken cancellationToken)
    {
        await using DbConnection connection = await OpenAsync(cancellationToken);
        await using DbCommand command = Command(connection, "SELECT body FROM gateway_grants WHERE id = @id", ("id", id));
        return await command.ExecuteScalarAsync(cancellationToken) is string body ? ReadGrant(body) : null;
    }

    public async Task<IReadOnlyList<Grant>> GetGrantsAsync(IReadOnlyCollection<string> ids, CancellationToken cancellationToken)
    {
        var grants = new List<Grant>(ids.Count);
        foreach (string[] chunk in ids.Chunk(100))
        {
            await using DbConnection connection = await OpenAsync(cancellationToken);
            string placeholders = string.Join(", ", chunk.Select((_, i) => "@id" + i));
            await using DbCommand command = Command(connection, $"SELECT body FROM gateway_grants WHERE id IN ({placeholders})",
                [.. chunk.Select((id, i) => ("id" + i, (object?)id))]);
            await ReadGrantsAsync(command, grants, cancellationToken);
        }

        return grants;
    }

    public async Task<IReadOnlyList<Grant>> ListGrantsAsync(GrantQuery query, CancellationToken cancellationToken)
    {
        await using DbConnection connection = await OpenAsync(cancellationToken);
        await using DbCommand command = Command(connection, """
            SELECT body FROM gateway_grants
            WHERE (@agent IS NULL OR agent = @agent)
              AND (@target IS NULL OR target = @target)
              AND (@status IS NULL OR status = @status)
              AND (@from IS NULL OR requested_at >= @from)
              AND (@to IS NULL OR requested_at < @to)
            ORDER BY requested_at DESC, id
            LIMIT @limit
            """,
            ("agent", query.Agent), ("target", query.Target), ("status", query.Status?.ToString()),
            ("from", Int64OrNull(query.From?.ToUnixTimeMilliseconds())), ("to", Int64OrNull(query.To?.ToUnixTimeMilliseconds())), ("limit", (long)query.Limit));
        var grants = new List<Grant>();
        await ReadGrantsAsync(command, grants, cancellationToken);
        return grants;
    }

    public async Task InsertGrantAsync(Grant grant, CancellationToken cancellationToken)
    {
        await using DbConnection connection = await OpenAsync(cancellationToken);
        await using DbCommand command = Command(connection,
            $"INSERT INTO gateway_grants ({GrantColumns}) VALUES (@id, @agent, @target, @status, @requested, @expires, @version, @body)",
            GrantParameters(grant with { Version = 1 }));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<bool> UpdateGrantAsync(Grant grant, CancellationToken cancellationToken)
    {
        await using DbConnection connection = await OpenAsync(cancellationToken);
        await using DbCommand command = Command(connection, """
            UPDATE gateway_grants SET status = @status, expires_at = @expires, version = @version, body = @body
            WHERE id = @id AND version = @version - 1
            """,
            GrantParameters(grant));
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    public async Task<IReadOnlyList<Identity>> ListIdentitiesAsync(CancellationToken cancellationToken)
    {
        await using DbConnection connection = await OpenAsync(cancellationToken);
        await using DbCommand command = Command(connection, "SELECT body FROM gateway_identities ORDER BY name");
        var identities = new List<Identity>();
        await using DbDataReader reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            identities.Add(JsonSerializer.Deserialize(reader.GetString(0), StoreJsonContext.Default.Identity)!);
        }

        return identities;
    }

    public async Task<bool> InsertIdentityAsync(Identity identity, CancellationToken cancellationToken)
    {
        await using DbConnection connection = await OpenAsync(cancellationToken);
        await using DbCommand command = Command(connection, InsertIdentitySql,
            ("name", identity.Name), ("body", JsonSerializer.Serialize(identity, StoreJsonContext.Default.Identity)));
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    public async Task UpdateIdentityAsync(Identity identity, CancellationToken cancellationToken)
    {
        await using DbConnection connection = await OpenAsync(cancellationToken);
        await using DbCommand command = Command(connection, "UPDATE gateway_identities SET body = @body WHERE name = @name",
            ("name", identity.Name), ("body", JsonSerializer.Serialize(identity, StoreJsonContext.Default.Identity)));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task InsertAuditRecordsAsync(IReadOnlyList<AuditIndexRecord> records, CancellationToken cancellationToken)
    {
        if (records.Count == 0)
        {
            return;
        }

        await using DbConnection connection = await OpenAsync(cancellationToken);
        await using DbTransaction transaction = await connection.BeginTransactionAsync(cancellationToken);
        foreach (AuditIndexRecord record in records)
        {
            await using DbCommand command = Command(connection, """
                INSERT INTO gateway_audit_records (log_id, seq, time, type, agent, grant_id, session_id, line)
                VALUES (@log, @seq, @time, @type, @agent, @grant, @session, @line)
                ON CONFLICT (log_id, seq) DO NOTHING
                """,
                ("log", record.LogId), ("seq", record.Seq), ("time", record.Time.ToUnixTimeMilliseconds()), ("type", record.Type),
                ("agent", record.Agent), ("grant", record.GrantId), ("session", record.SessionId), ("line", record.Line));
            command.Transaction = transaction;
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<AuditIndexRecord>> ListAuditRecordsAsync(string? grantId, string? sessionId, CancellationToken cancellationToken)
    {
        await using DbConnection connection = await OpenAsync(cancellationToken);
        await using DbCommand command = Command(connection, """
            SELECT log_id, seq, time, type, agent, grant_id, session_id, line FROM gateway_audit_records
            WHERE (@grant IS NULL OR grant_id = @grant) AND (@session IS NULL OR session_id = @session)
            ORDER BY time, log_id, seq
            LIMIT 10000
            """,
            ("grant", grantId), ("session", sessionId));
        var records = new List<AuditIndexRecord>();
        await using DbDataReader reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            records.Add(new AuditIndexRecord(
                reader.GetString(0), reader.GetInt64(1), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(2)), reader.GetString(3),
                reader.IsDBNull(4) ? null : reader.GetString(4), reader.IsDBNull(5) ? null : reader.GetString(5),
                reader.IsDBNull(6) ? null : reader.GetString(6), reader.GetString(7)));
        }

        return records;
    }

    public async Task UpsertAuditSessionAsync(AuditSession session, CancellationToken cancellationToken)
    {
        await using DbConnection connection = await OpenAsync(cancellationToken);
        await using DbCommand command = Command(connection, """
            INSERT INTO gateway_audit_sessions (id, agent, target, grant_id, started_at, body)
            VALUES (@id, @agent, @target, @grant, @started, @body)
            ON CONFLICT (id) DO UPDATE SET body = excluded.body
            """,
            ("id", session.Id), ("agent", session.Agent), ("target", session.Target), ("grant", session.GrantId),
            ("started", session.StartedAt.ToUnixTimeMilliseconds()), ("body", JsonSerializer.Serialize(session, StoreJsonContext.Default.AuditSession)));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<AuditSession?> GetAuditSessionAsync(string id, CancellationToken cancellationToken)
    {
        await using DbConnection connection = await OpenAsync(cancellationToken);
        await using DbCommand command = Command(connection, "SELECT body FROM gateway_audit_sessions WHERE id = @id", ("id", id));
        return await command.ExecuteScalarAsync(cancellationToken) is string body
            ? JsonSerializer.Deserialize(body, StoreJsonContext.Default.AuditSession)
            : null;
    }

    public async Task<IReadOnlyList<AuditSession>> ListAuditSessionsAsync(AuditSessionQuery query, CancellationToken cancellationToken)
    {
        await using DbConnection connection = await OpenAsync(cancellationToken);
        await using DbCommand command = Command(connection, """
            SELECT body FROM gateway_audit_sessions
            WHERE (@agent IS NULL OR agent = @agent)
              AND (@target IS NULL OR target = @target)
              AND (@grant IS NULL OR grant_id = @grant)
              AND (@from IS NULL OR started_at >= @from)
              AND (@to IS NULL OR started_at < @to)
            ORDER BY started_at, id
            LIMIT @limit
            """,
            ("agent", query.Agent), ("target", query.Target), ("grant", query.GrantId),
            ("from", Int64OrNull(query.From?.ToUnixTimeMilliseconds())), ("to", Int64OrNull(query.To?.ToUnixTimeMilliseconds())), ("limit", (long)query.Limit));
        var sessions = new List<AuditSession>();
        await using DbDataReader reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            sessions.Add(JsonSerializer.Deserialize(reader.GetString(0), StoreJsonContext.Default.AuditSession)!);
        }

        return sessions;
    }

    public abstract ValueTask DisposeAsync();

    /// <summary>Inserts unless the name exists, affecting no row in that case.</summary>
    protected virtual string InsertIdentitySql => "INSERT INTO gateway_identities (name, body) VALUES (@name, @body) ON CONFLICT (name) DO NOTHING";

    protected abstract ValueTask<DbConnection> OpenAsync(CancellationToken cancellationToken);

    private static object Int64OrNull(long? value) => value.HasValue ? value.Value : NullInt64;

    private static Grant ReadGrant(string body) => JsonSerializer.Deserialize(body, StoreJsonContext.Default.Grant)!;

    private static async Task ReadGrantsAsync(DbCommand command, List<Grant> grants, CancellationToken cancellationToken)
    {
        await using DbDataReader reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            grants.Add(ReadGrant(reader.GetString(0)));
        }
    }

    private static (string, object?)[] GrantParameters(Grant grant) =>
    [
        ("id", grant.Id), ("agent", grant.Agent), ("target", grant.Target), ("status", grant.Status.ToString()),
        ("requested", grant.RequestedAt.ToUnixTimeMilliseconds()), ("expires", Int64OrNull(grant.ExpiresAt?.ToUnixTimeMilliseconds())),
        ("version", grant.Version), ("body", JsonSerializer.Serialize(grant, StoreJsonContext.Default.Grant)),
    ];

    private static DbCommand Command(DbConnection connection, string sql, params (string Name, object? Value)[] parameters)
    {
        DbCommand command = connection.CreateCommand();
        command.CommandText = sql;
        foreach ((string name, object? value) in parameters)
        {
            DbParameter parameter = command.CreateParameter();
            parameter.ParameterName = name;
            parameter.Value = value is null || value == NullInt64 ? DBNull.Value : value;
            parameter.DbType = value is long || value == NullInt64 ? System.Data.DbType.Int64 : System.Data.DbType.String;
            command.Parameters.Add(parameter);
        }

        return command;
    }
}
