using System.Collections.Concurrent;
using System.Globalization;
using Gateway.Core.Masking;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Gateway.Host.Masking;

/// <summary>
/// Each masked target's catalog: read on a connection of the gateway's own when the first session needs it, read
/// again in the background when it is older than the target's refresh interval or when a session meets a relation
/// it does not know (a view created after the last read), at most once per second. Sessions read
/// <see cref="Entry.Current"/> for every result, so a reload applies to running sessions too. A target whose catalog was
/// never read refuses sessions (fail closed) until it can be.
/// </summary>
internal sealed partial class MaskingCatalogCache(TimeProvider time, ILogger<MaskingCatalogCache> logger)
{
    private static readonly TimeSpan ReloadSpacing = TimeSpan.FromSeconds(1);
    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    /// <summary>The target's catalog, read now if it never was.</summary>
    public async ValueTask<Entry> GetAsync(TargetMasking masking, CancellationToken cancellationToken)
    {
        Entry entry = _entries.GetOrAdd(masking.Target, static (_, m) => new Entry(m), masking);
        if (entry.Current is null)
        {
            await entry.LoadAsync(time, logger, cancellationToken).ConfigureAwait(false);
        }
        else if (time.GetUtcNow() - entry.Current.LoadedAt >= masking.RefreshInterval)
        {
            entry.ReloadInBackground(time, logger);
        }

        return entry;
    }

    /// <summary>A target's catalog slot, shared by its sessions.</summary>
    internal sealed class Entry(TargetMasking masking)
    {
        private readonly SemaphoreSlim _loading = new(1, 1);
        private MaskingCatalog? _current;
        private DateTimeOffset _lastReload;
        private int _reloading;

        public TargetMasking Masking => masking;

        public MaskingCatalog? Current => Volatile.Read(ref _current);

        public async Task LoadAsync(TimeProvider time, ILogger logger, CancellationToken cancellationToken)
        {
            await _loading.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                await using var connection = new NpgsqlConnection(masking.CatalogConnectionString);
                await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
                MaskingCatalog catalog = Current is { } previous
                    ? await previous.ReloadAsync((sql, ct) => QueryAsync(connection, sql, ct), time, cancellationToken).ConfigureAwait(false)
                    : await MaskingCatalog.LoadAsync(masking.Policy, (sql, ct) => QueryAsync(connection, sql, ct), time, cancellationToken).ConfigureAwait(false);
                Volatile.Write(ref _current, catalog);
                LogLoaded(logger, masking.Target, catalog.ProtectedColumnCount, catalog.UnresolvedColumns.Count == 0 ? "none" : string.Join(", ", catalog.UnresolvedColumns));
            }
            finally
            {
                _loading.Release();
            }
        }

        /// <summary>For a session that met an unknown relation: reload soon, without holding the session up.</summary>
        public void RelationUnknown(TimeProvider time, ILogger logger) => ReloadInBackground(time, logger);

        public void ReloadInBackground(TimeProvider time, ILogger logger)
        {
            DateTimeOffset now = time.GetUtcNow();
            if (now - _lastReload < ReloadSpacing || Interlocked.Exchange(ref _reloading, 1) == 1)
            {
                return;
            }

            _lastReload = now;
            _ = Task.Run(async () =>
            {
                try
                {
                    await LoadAsync(time, logger, CancellationToken.None).ConfigureAwait(false);
                }
#pragma warning disable CA1031 // A failed reload keeps the previous catalog (and unknown relations stay masked); it is logged.
                catch (Exception exception)
#pragma warning restore CA1031
                {
                    LogReloadFailed(logger, masking.Target, exception.GetType().Name, exception.Message);
                }
                finally
                {
                    Volatile.Write(ref _reloading, 0);
                }
            });
        }

        private static async Task<IReadOnlyList<string?[]>> QueryAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
        {
            await using var command = new NpgsqlCommand(sql, connection);
            await using NpgsqlDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            var rows = new List<string?[]>();
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                var row = new string?[reader.FieldCount];
                for (int i = 0; i < row.Length; i++)
                {
                    row[i] = reader.IsDBNull(i) ? null : Convert.ToString(reader.GetValue(i), CultureInfo.InvariantCulture);
                }

                rows.Add(row);
            }

            return rows;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Masking catalog of {Target} read: {ProtectedColumns} protected columns, unresolved: {Unresolved}")]
    private static partial void LogLoaded(ILogger logger, string target, int protectedColumns, string unresolved);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Masking catalog of {Target} could not be read again ({Error}: {Detail}); the previous one stays in use")]
    private static partial void LogReloadFailed(ILogger logger, string target, string error, string detail);
}
