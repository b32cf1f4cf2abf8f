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
        """ + Tables;

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
