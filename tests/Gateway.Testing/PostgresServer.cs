using Npgsql;
using Xunit;

namespace Gateway.Testing;

/// <summary>
/// A throwaway PostgreSQL server for the test run: <c>initdb</c> into a temporary directory, a free loopback port,
/// scram-sha-256 for TCP, the distribution's binaries. PostgreSQL refuses to run as root, so as root (CI) the
/// server runs as the <c>postgres</c> user. Without PostgreSQL installed the tests are skipped locally and fail in CI.
/// </summary>
public sealed class PostgresServer : IAsyncLifetime
{
    public const string SuperuserPassword = "test-superuser";
    public const string AppUser = "gw_app";
    public const string AppPassword = "app-secret-upstream";
    public const string Database = "gateway_test";
    public const string Md5User = "gw_md5";
    public const string CleartextUser = "gw_plain";
    public const string TlsOnlyUser = "gw_tls";

    private string? _binDirectory;
    private string? _directory;
    private string? _runAs;

    public int Port { get; private set; }

    public string Host => "127.0.0.1";

    public string SocketDirectory => _directory!;

    public string BinDirectory => _binDirectory!;

    /// <summary>The CA and server certificate the server presents for TLS (ssl = on).</summary>
    public TestCertificates Certificates { get; private set; } = null!;

    /// <summary>A superuser connection string over TCP.</summary>
    public string AdminConnectionString => $"Host={Host};Port={Port};Username=postgres;Password={SuperuserPassword};Database={Database};Pooling=false";

    /// <summary>The application role the gateway logs in as.</summary>
    public string AppConnectionString => $"Host={Host};Port={Port};Username={AppUser};Password={AppPassword};Database={Database};Pooling=false";

    public async ValueTask InitializeAsync()
    {
        _binDirectory = FindBinDirectory();
        if (_binDirectory is null)
        {
            string message = "PostgreSQL server binaries not found (install postgresql, or set GATEWAY_TEST_PGBIN)";
            if (Environment.GetEnvironmentVariable("CI") == "true")
            {
                throw new InvalidOperationException(message);
            }

            return;
        }

        _runAs = Environment.UserName == "root" ? "postgres" : null;
        _directory = Directory.CreateTempSubdirectory("gateway-pg-").FullName;
        if (_runAs is not null)
        {
            await ProcessRunner.RunCheckedAsync("chown", [$"{_runAs}:", _directory]);
        }

        Port = FreePort.Next();
        string data = Path.Combine(_directory, "data");
        await ProcessRunner.RunCheckedAsync(Path.Combine(_binDirectory, "initdb"),
            ["-D", data, "-U", "postgres", "-E", "UTF8", "--locale=C", "--auth-local=trust", "--auth-host=scram-sha-256", "-N"],
            asUser: _runAs);
        Certificates = TestCertificates.Create(Path.Combine(_directory, "tls"));
        if (_runAs is not null)
        {
            await ProcessRunner.RunCheckedAsync("chown", ["-R", $"{_runAs}:", Certificates.Directory]);
        }

        // First match wins: the MD5, cleartext and TLS-only roles exercise the gateway's other upstream logins.
        await File.WriteAllTextAsync(Path.Combine(data, "pg_hba.conf"), $"""
            local all all trust
            hostssl all {TlsOnlyUser} 127.0.0.1/32 scram-sha-256
            host all {TlsOnlyUser} 127.0.0.1/32 reject
            host all {Md5User} 127.0.0.1/32 md5
            host all {CleartextUser} 127.0.0.1/32 password
            host all all 127.0.0.1/32 scram-sha-256
            """);
        await File.AppendAllTextAsync(Path.Combine(data, "postgresql.conf"), $"""

            listen_addresses = '127.0.0.1'
            port = {Port}
            unix_socket_directories = '{_directory}'
            max_connections = 700
            shared_buffers = 128MB
            fsync = off
            synchronous_commit = off
            full_page_writes = off
            autovacuum = off
            jit = off
            log_min_messages = warning
            ssl = on
            ssl_cert_file = '{Certificates.ServerCertificatePemPath}'
            ssl_key_file = '{Certificates.ServerKeyPemPath}'
            """);
        await ProcessRunner.RunCheckedAsync(Path.Combine(_binDirectory, "pg_ctl"),
            ["-D", data, "-l", Path.Combine(_directory, "postgres.log"), "-w", "-t", "60", "start"], asUser: _runAs);
        await PsqlAsync($"""
            ALTER ROLE postgres PASSWORD '{SuperuserPassword}';
            CREATE ROLE {AppUser} LOGIN PASSWORD '{AppPassword}';
            CREATE DATABASE {Database} OWNER {AppUser};
            SET password_encryption = 'md5';
            CREATE ROLE {Md5User} LOGIN PASSWORD '{AppPassword}';
            RESET password_encryption;
            CREATE ROLE {CleartextUser} LOGIN PASSWORD '{AppPassword}';
            CREATE ROLE {TlsOnlyUser} LOGIN PASSWORD '{AppPassword}';
            """);
    }

    /// <summary>Skips the calling test when no server could be started (never in CI).</summary>
    public void EnsureAvailable()
    {
        if (_binDirectory is null)
        {
            Assert.Skip("PostgreSQL server binaries not found");
        }
    }

    /// <summary>Runs SQL as the superuser through psql on the Unix socket, one autocommitted statement at a time.</summary>
    public Task<string> PsqlAsync(string sql, string database = "postgres")
        => ProcessRunner.RunCheckedAsync(Path.Combine(_binDirectory!, "psql"),
            ["-h", _directory!, "-p", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-U", "postgres", "-d", database,
             "-X", "-q", "-v", "ON_ERROR_STOP=1", "-At", "-f", "-"], standardInput: sql);

    public async Task ExecuteAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(AdminConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (_directory is null)
        {
            return;
        }

        await ProcessRunner.RunAsync(Path.Combine(_binDirectory!, "pg_ctl"),
            ["-D", Path.Combine(_directory, "data"), "-m", "immediate", "-w", "stop"], asUser: _runAs);
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // Left for the OS to clean; a stopped server's files are harmless.
        }
    }

    private static string? FindBinDirectory()
    {
        string? configured = Environment.GetEnvironmentVariable("GATEWAY_TEST_PGBIN");
        if (configured is not null)
        {
            return File.Exists(Path.Combine(configured, "initdb")) ? configured : null;
        }

        if (!Directory.Exists("/usr/lib/postgresql"))
        {
            return null;
        }

        return Directory.GetDirectories("/usr/lib/postgresql")
            .Select(path => Path.Combine(path, "bin"))
            .Where(bin => File.Exists(Path.Combine(bin, "initdb")) && File.Exists(Path.Combine(bin, "postgres")))
            .OrderByDescending(bin => int.TryParse(Path.GetFileName(Path.GetDirectoryName(bin)), out int version) ? version : 0)
            .FirstOrDefault();
    }
}
