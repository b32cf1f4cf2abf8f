using Gateway.Host.Audit;
using Gateway.Host.Configuration;
using Gateway.Host.Control;
using Gateway.Testing;
using Npgsql;

namespace Gateway.Host.Tests.Audit;

/// <summary>
/// kill -9 of the real gateway process during a session: the next start records the unclean shutdown, closes the
/// session the crash left open with its recording as the crash left it, and the verifier passes with warnings.
/// </summary>
public sealed class CrashRecoveryTests(PostgresServer postgres)
{
    [Fact]
    public async Task Serve_KilledDuringASession_NextStartRecordsTheCrashAndVerifyPassesWithWarnings()
    {
        GatewayProcess first = await GatewayProcess.StartAsync(postgres);
        first.KeepDirectory = true;
        try
        {
            string connectionString = await first.GrantConnectionStringAsync();
            var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync();
            for (int i = 0; i < 3; i++)
            {
                await using var command = new NpgsqlCommand("SELECT g, md5(g::text) FROM generate_series(1, 200) g", connection);
                await using NpgsqlDataReader reader = await command.ExecuteReaderAsync();
                while (await reader.ReadAsync())
                {
                }
            }

            await first.KillAsync();
            await first.DisposeAsync();
            await connection.DisposeAsync().AsTask().ContinueWith(_ => { }, TaskScheduler.Default);

            await using GatewayProcess second = await GatewayProcess.RestartAsync(first);
            LoadedAudit audit = GatewayConfigurationLoader.Load(second.ConfigurationFile).Audit;
            AuditChain chain = AuditChain.Read(audit);
            Assert.Contains(chain.Records, pair => pair.Record.Type == AuditEventTypes.UncleanShutdown);
            AuditRecord closed = Assert.Single(chain.Records, pair => pair.Record.Type == AuditEventTypes.SessionClosed).Record;
            Assert.Equal(AuditTrail.CrashedReason, closed.Data["reason"]!.GetValue<string>());

            AuditVerifyView verification = AuditReview.VerifyFiles(audit);
            Assert.True(verification.Ok, string.Join("\n", verification.Errors));
            Assert.Contains(verification.Warnings, warning => warning.Contains("truncated", StringComparison.Ordinal));
            RecordingCheckView recording = Assert.Single(verification.Recordings);
            Assert.StartsWith("truncated", recording.Status, StringComparison.Ordinal);
            Assert.Equal(0, await second.StopAsync());
        }
        finally
        {
            // Kept across the restart; deleted here, once neither gateway runs in it.
            await first.DisposeAsync();
            first.DeleteDirectory();
        }
    }
}
