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
