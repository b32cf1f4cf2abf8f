using Gateway.Testing;
using Npgsql;

namespace Gateway.Host.Tests.Support;

/// <summary>A fresh PostgreSQL database for one test's control store.</summary>
internal static class StoreDatabase
{
    public static async Task<string> CreateAsync(PostgresServer postgres)
    {
        postgres.EnsureAvailable();
        string name = "gwstore_" + Guid.NewGuid().ToString("N")[..12];
        await postgres.PsqlAsync($"CREATE DATABASE {name};");
        return new NpgsqlConnectionStringBuilder(postgres.AdminConnectionString) { Database = name, Pooling = true }.ToString();
    }
}
