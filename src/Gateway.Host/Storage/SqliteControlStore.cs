using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace Gateway.Host.Storage;

/// <summary>The default store: one SQLite file beside the configuration, in WAL mode.</summary>
internal sealed class SqliteControlStore(string path) : SqlControlStore
{
    private readonly string _connectionString = new SqliteConnectionStringBuilder
    {
        DataSource = path,
        Mode = SqliteOpenMode.ReadWriteCreate,
        Pooling = true,
        DefaultTimeout = 10,
    }.ToString();

    protected override string Schema => """
        PRAGMA journal_mode = WAL;
        PRAGMA synchronous = FULL;
        CREATE TABLE IF NOT EXISTS gateway_grants (
            id TEXT PRIMARY KEY,
            agent TEXT NOT NULL,
            target TEXT NOT NULL,
            status TEXT NOT NULL,
            requested_at INTEGER NOT NULL,
            expires_at INTEGER,
            version INTEGER NOT NULL,
            body TEXT NOT NULL);
        CREATE INDEX IF NOT EXISTS gateway_grants_agent ON gateway_grants (agent, requested_at);
        CREATE INDEX IF NOT EXISTS gateway_grants_status ON gateway_grants (status, expires_at);
        CREATE TABLE IF NOT EXISTS gateway_identities (name TEXT PRIMARY KEY, body TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS gateway_audit_records (
            log_id TEXT NOT NULL,
            seq INTEGER NOT NULL,
            time INTEGER NOT NULL,
            type TEXT NOT NULL,
            agent TEXT,
            grant_id TEXT,
            session_id TEXT,
            line TEXT NOT NULL,
            PRIMARY KEY (log_id, seq));
        CREATE INDEX IF NOT EXISTS gateway_audit_records_grant ON gateway_audit_records (grant_id);
        CREATE INDEX IF NOT EXISTS gateway_audit_records_session ON gateway_audit_records (session_id);
        CREATE TABLE IF NOT EXISTS gateway_audit_sessions (
            id TEXT PRIMARY KEY,
            agent TEXT NOT NULL,
            target TEXT NOT NULL,
            grant_id TEXT NOT NULL,
            started_at INTEGER NOT NULL,
            body TEXT NOT NULL);
        CREATE INDEX IF NOT EXISTS gateway_audit_sessions_agent ON gateway_audit_sessions (agent, started_at);
        CREATE INDEX IF NOT EXISTS gateway_audit_sessions_target ON gateway_audit_sessions (target, started_at);
        CREATE INDEX IF NOT EXISTS gateway_audit_sessions_grant ON gateway_audit_sessions (grant_id);
        """;

    public override ValueTask DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        return ValueTask.CompletedTask;
    }

    protected override async ValueTask<DbConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken);
        return connection;
    }
}
