using System.Data.Common;
using Npgsql;

namespace Gateway.Host.Storage;

/// <summary>
/// A PostgreSQL database shared by several gateway instances. Optimistic versions keep two instances (or two
/// reviewers) from overwriting each other's decisions.
/// </summary>
internal sealed class PostgresControlStore(string connectionString) : SqlControlStore
{
    private readonly NpgsqlDataSource _dataSource = NpgsqlDataSource.Create(connectionString);

    // Instances starting together must not race on CREATE: the advisory lock serialises them.
    protected override string Schema => """
        BEGIN;
        SELECT pg_advisory_xact_lock(7454171);
        """ + Tables + """
        COMMIT;
        """;

    public override ValueTask DisposeAsync() => _dataSource.DisposeAsync();

    protected override async ValueTask<DbConnection> OpenAsync(CancellationToken cancellationToken)
        => await _dataSource.OpenConnectionAsync(cancellationToken);
}
