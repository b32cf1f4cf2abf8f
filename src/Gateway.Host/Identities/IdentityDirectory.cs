using System.Collections.Frozen;
using System.Text.Json.Nodes;
using Gateway.Host.Audit;
using Gateway.Host.Configuration;
using Gateway.Host.Grants;
using Gateway.Host.Storage;

namespace Gateway.Host.Identities;

/// <summary>
/// Identities from the configuration file and from the control API, found by the hash of the presented API key.
/// The store is re-read when a key is not found (at most once a second), so identities created on another instance
/// are known here too.
/// </summary>
internal sealed class IdentityDirectory(LoadedConfiguration configuration, IControlStore store, AuditTrail audit, TimeProvider time)
{
    private static readonly TimeSpan RefreshInterval = TimeSpan.FromSeconds(1);
    private readonly SemaphoreSlim _refresh = new(1, 1);
    private FrozenDictionary<string, Identity> _byKeyHash = FrozenDictionary<string, Identity>.Empty;
    private DateTimeOffset _refreshedAt = DateTimeOffset.MinValue;

    public async Task<Identity?> FindByKeyAsync(string key, CancellationToken cancellationToken)
    {
        string hash = ApiKey.Hash(key);
        if (_byKeyHash.TryGetValue(hash, out Identity? identity) || time.GetUtcNow() - _refreshedAt < RefreshInterval)
        {
            return identity is { Disabled: false } ? identity : null;
        }

        await RefreshAsync(cancellationToken);
        return _byKeyHash.TryGetValue(hash, out identity) && !identity.Disabled ? identity : null;
    }

    public async Task<IReadOnlyList<Identity>> ListAsync(CancellationToken cancellationToken)
    {
        await RefreshAsync(cancellationToken);
        return [.. _byKeyHash.Values.OrderBy(identity => identity.Name, StringComparer.Ordinal)];
    }

    /// <summary>Creates an identity through the API and returns its API key, which is not kept anywhere.</summary>
    public async Task<(Identity Identity, string Key)> CreateAsync(Identity creator, string name, IdentityKind kind, IReadOnlyList<string> groups, CancellationToken cancellationToken)
    {
        if (creator.Kind != IdentityKind.Admin)
        {
            throw new GrantException(GrantError.Forbidden, "only admins create identities");
        }

        if (string.IsNullOrWhiteSpace(name) || name.Length > 63 || name.StartsWith("g_", StringComparison.Ordinal) || name.Any(char.IsWhiteSpace))
        {
            throw new GrantException(GrantError.Invalid, "a name of 1 to 63 characters without spaces, not starting with g_, is required");
        }

        if (!audit.IsAvailable)
        {
            throw new GrantException(GrantError.Unavailable, "the audit log is not writable; identities cannot change until it is");
        }

        string key = ApiKey.Create();
        var identity = new Identity { Name = name, Kind = kind, Groups = groups, ApiKeyHash = ApiKey.Hash(key), Source = "api:" + creator.Name };
        if (configuration.Identities.Any(existing => existing.Name == name) || !await store.InsertIdentityAsync(identity, cancellationToken))
        {
            throw new GrantException(GrantError.Conflict, $"identity {name} exists");
        }

        await audit.RecordAsync(
            new AuditEvent(AuditEventTypes.IdentityCreated)
            {
                Agent = kind == IdentityKind.Agent ? name : null,
                Data = new JsonObject
                {
                    ["name"] = name,
                    ["kind"] = kind.ToString().ToLowerInvariant(),
                    ["groups"] = new JsonArray([.. groups.Select(group => JsonValue.Create(group))]),
                    ["by"] = creator.Name,
                },
            },
            cancellationToken);
        await RefreshAsync(cancellationToken);
        return (identity, key);
    }

    private async Task RefreshAsync(CancellationToken cancellationToken)
    {
        await _refresh.WaitAsync(cancellationToken);
        try
        {
            IReadOnlyList<Identity> stored = await store.ListIdentitiesAsync(cancellationToken);

            // The configuration file wins over the store for a name defined in both.
            _byKeyHash = configuration.Identities
                .Concat(stored.Where(identity => !configuration.Identities.Any(configured => configured.Name == identity.Name)))
                .ToFrozenDictionary(identity => identity.ApiKeyHash, StringComparer.Ordinal);
            _refreshedAt = time.GetUtcNow();
        }
        finally
        {
            _refresh.Release();
        }
    }
}
