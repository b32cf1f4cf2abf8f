using System.Net;
using System.Text.RegularExpressions;
using Gateway.Core.Transport;
using Gateway.Testing;
using Npgsql;
using Shop.Gateway;

namespace Gateway.Core.IntegrationTests.Embedding;

/// <summary>The README's embedding sample compiles (it is this project's EmbeddingSample.cs), runs, and matches the README.</summary>
public sealed partial class EmbeddingSampleTests(PostgresServer postgres)
{
    [Fact]
    public async Task EmbeddingSample_StartedAgainstRealServer_RelaysQueries()
    {
        postgres.EnsureAvailable();
        await postgres.PsqlAsync($"""
            DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'shop_reader') THEN
              CREATE ROLE shop_reader LOGIN PASSWORD 'sample-upstream'; END IF; END $$;
            SELECT 'CREATE DATABASE shop OWNER shop_reader' WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'shop') \gexec
            """);
        await using PgSocketListener listener = EmbeddingSample.Start(
            new IPEndPoint(IPAddress.Loopback, 0), new IPEndPoint(IPAddress.Loopback, postgres.Port), "sample-upstream");
        int port = ((IPEndPoint)listener.LocalEndPoint).Port;
        await using var connection = new NpgsqlConnection($"Host=127.0.0.1;Port={port};Username=agent;Password=agent-secret;Database=shop;Pooling=false");
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT current_user", connection);
        Assert.Equal("shop_reader", await command.ExecuteScalarAsync());
    }

    [Fact]
    public void Readme_EmbeddingSection_IsExactlyTheCompiledSample()
    {
        string root = FindRepositoryRoot();
        string sample = File.ReadAllText(Path.Combine(root, "tests/Gateway.Core.IntegrationTests/Embedding/EmbeddingSample.cs"));
        string compiled = SampleRegion().Match(sample).Groups["code"].Value.Trim();
        string readme = File.ReadAllText(Path.Combine(root, "README.md"));
        Match block = ReadmeBlock().Match(readme);
        Assert.True(block.Success, "README.md has no ```csharp block after the embedding heading");
        Assert.Equal(compiled.ReplaceLineEndings("\n"), block.Groups["code"].Value.Trim().ReplaceLineEndings("\n"));
        Assert.InRange(compiled.Split('\n').Count(line => line.Trim().Length > 0 && !line.TrimStart().StartsWith("//", StringComparison.Ordinal)), 15, 30);
    }

    private static string FindRepositoryRoot()
    {
        string? directory = AppContext.BaseDirectory;
        while (directory is not null && !File.Exists(Path.Combine(directory, "GatewayCore.sln")))
        {
            directory = Path.GetDirectoryName(directory);
        }

        return directory ?? throw new InvalidOperationException("repository root not found");
    }

    [GeneratedRegex(@"// <embedding-sample>(?<code>.*)// </embedding-sample>", RegexOptions.Singleline)]
    private static partial Regex SampleRegion();

    [GeneratedRegex(@"## Embedding.*?```csharp(?<code>.*?)```", RegexOptions.Singleline)]
    private static partial Regex ReadmeBlock();
}
