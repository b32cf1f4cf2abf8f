using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using Gateway.Core.Masking;
using Gateway.Core.Sessions;
using Npgsql;

namespace Gateway.Testing;

/// <summary>
/// A <see cref="GatewayRig"/> in front of the <see cref="MaskingDatabase"/>, each session masked by a
/// <see cref="PgMasking"/> hook over the catalog the rig loaded, with every session's statistics kept.
/// </summary>
public sealed class MaskedGateway : IAsyncDisposable
{
    private MaskingCatalog _catalog;

    private MaskedGateway(GatewayRig rig, MaskingDatabase database, MaskingCatalog catalog)
    {
        Rig = rig;
        Database = database;
        _catalog = catalog;
    }

    public GatewayRig Rig { get; }

    public MaskingDatabase Database { get; }

    public MaskingCatalog Catalog { get => _catalog; set => Volatile.Write(ref _catalog, value); }

    /// <summary>Statistics of every session, in the order they started.</summary>
    public ConcurrentQueue<MaskingStatistics> Statistics { get; } = new();

    /// <summary>Relations reported unknown to the catalog.</summary>
    public ConcurrentQueue<uint> UnknownRelations { get; } = new();

    public static async Task<MaskedGateway> StartAsync(PostgresServer postgres, bool write = false, MaskingPolicy? policy = null)
    {
        MaskingDatabase database = await MaskingDatabase.GetAsync(postgres);
        MaskingCatalog catalog = await database.LoadCatalogAsync(policy);
        GatewayRig rig = GatewayRig.Start(postgres, configureTarget: _ => database.Target(write));
        var gateway = new MaskedGateway(rig, database, catalog);
        rig.Authorizer.Decide = (_, target) =>
        {
            var statistics = new MaskingStatistics();
            gateway.Statistics.Enqueue(statistics);
            return SessionAuthorization.Allow(target) with { Hooks = [new PgMasking(() => gateway.Catalog, statistics, gateway.UnknownRelations.Enqueue)] };
        };
        return gateway;
    }

    /// <summary>Opens an Npgsql connection through the gateway, with error details shown (Npgsql hides them by default).</summary>
    public async Task<NpgsqlConnection> OpenAsync(string extra = "") => await Rig.OpenAsync("Include Error Detail=true;" + extra);

    /// <summary>Runs <paramref name="sql"/> through Npgsql and renders every value of every result as text.</summary>
    public async Task<string> QueryAsync(string sql, bool prepare = false)
    {
        await using NpgsqlConnection connection = await OpenAsync();
        return await QueryAsync(connection, sql, prepare);
    }

    public static async Task<string> QueryAsync(NpgsqlConnection connection, string sql, bool prepare = false)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        if (prepare)
        {
            await command.PrepareAsync();
        }

        var output = new StringBuilder();
        await using NpgsqlDataReader reader = await command.ExecuteReaderAsync();
        do
        {
            while (await reader.ReadAsync())
            {
                for (int i = 0; i < reader.FieldCount; i++)
                {
                    output.Append(Render(reader.IsDBNull(i) ? null : reader.GetValue(i))).Append('|');
                }

                output.AppendLine();
            }
        }
        while (await reader.NextResultAsync());
        return output.ToString();
    }

    /// <summary>Runs SQL through psql (libpq, simple protocol, text results) against the gateway.</summary>
    public async Task<(int ExitCode, string Output)> PsqlAsync(string sql)
    {
        (int exitCode, string output) = await ProcessRunner.RunAsync(Path.Combine(Database.Postgres.BinDirectory, "psql"),
            [$"host=127.0.0.1 port={Rig.Port} user={GatewayRig.Agent} dbname={GatewayRig.Target} sslmode=disable", "-X", "-At", "-P", "null=NULL", "-v", "ON_ERROR_STOP=1", "-c", sql],
            new Dictionary<string, string> { ["PGPASSWORD"] = GatewayRig.AgentSecret, ["PGCONNECT_TIMEOUT"] = "10" });
        return (exitCode, output);
    }

    public ValueTask DisposeAsync() => Rig.DisposeAsync();

    public static string Render(object? value) => value switch
    {
        null => "NULL",
        byte[] bytes => Convert.ToHexStringLower(bytes) + "/" + Encoding.UTF8.GetString(bytes),
        string text => text,
        System.Collections.IEnumerable items => "{" + string.Join(",", items.Cast<object?>().Select(Render)) + "}",
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? string.Empty,
    };
}
