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
        COMMIT;
        """;

    public override ValueTask DisposeAsync() => _dataSource.DisposeAsync();

    protected override async ValueTask<DbConnection> OpenAsync(CancellationToken cancellationToken)
        => await _dataSource.OpenConnectionAsync(cancellationToken);
}
