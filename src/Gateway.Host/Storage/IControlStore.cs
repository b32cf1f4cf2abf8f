using Gateway.Host.Audit;
using Gateway.Host.Grants;
using Gateway.Host.Identities;

namespace Gateway.Host.Storage;

/// <summary>
/// The control plane's state: grants, and identities created through the API. SQLite serves one gateway; the
/// PostgreSQL store lets several gateway instances share one control plane. Both behave the same (one test suite).
/// </summary>
internal interface IControlStore : IAsyncDisposable
{
    /// <summary>Creates the tables if they are missing.</summary>
    Task InitializeAsync(CancellationToken cancellationToken);

    Task<Grant?> GetGrantAsync(string id, CancellationToken cancellationToken);

    /// <summary>The grants among <paramref name="ids"/> that exist.</summary>
    Task<IReadOnlyList<Grant>> GetGrantsAsync(IReadOnlyCollection<string> ids, CancellationToken cancellationToken);

    /// <summary>Grants matching the query, newest request first.</summary>
    Task<IReadOnlyList<Grant>> ListGrantsAsync(GrantQuery query, CancellationToken cancellationToken);

    /// <summary>Stores a new grant (version 1).</summary>
    Task InsertGrantAsync(Grant grant, CancellationToken cancellationToken);

    /// <summary>
    /// Stores <paramref name="grant"/> if the stored version is exactly one less than its version; returns false when
    /// another writer (another instance, another reviewer) changed it first.
    /// </summary>
    Task<bool> UpdateGrantAsync(Grant grant, CancellationToken cancellationToken);

    Task<IReadOnlyList<Identity>> ListIdentitiesAsync(CancellationToken cancellationToken);

    /// <summary>Stores a new identity; false when the name is taken.</summary>
    Task<bool> InsertIdentityAsync(Identity identity, CancellationToken cancellationToken);

    Task UpdateIdentityAsync(Identity identity, CancellationToken cancellationToken);

    /// <summary>Indexes audit records already durable in the chain; a record indexed twice is kept once.</summary>
    Task InsertAuditRecordsAsync(IReadOnlyList<AuditIndexRecord> records, CancellationToken cancellationToken);

    /// <summary>The indexed records of a grant or a session, in chain order.</summary>
    Task<IReadOnlyList<AuditIndexRecord>> ListAuditRecordsAsync(string? grantId, string? sessionId, CancellationToken cancellationToken);

    /// <summary>Creates or replaces a session's index row.</summary>
    Task UpsertAuditSessionAsync(AuditSession session, CancellationToken cancellationToken);

    Task<AuditSession?> GetAuditSessionAsync(string id, CancellationToken cancellationToken);

    /// <summary>Sessions matching the query, oldest start first.</summary>
    Task<IReadOnlyList<AuditSession>> ListAuditSessionsAsync(AuditSessionQuery query, CancellationToken cancellationToken);
}
