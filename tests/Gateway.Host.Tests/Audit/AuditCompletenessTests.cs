using Gateway.Host.Audit;
using Gateway.Host.Configuration;
using Gateway.Host.Control;
using Gateway.Host.Recording;
using Gateway.Host.Tests.Support;
using Gateway.Testing;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Gateway.Host.Tests.Audit;

/// <summary>
/// AUD-10, the pgAudit-style golden test: a scripted day of one agent yields exactly the expected audit records, in
/// order, and the session's recording holds every statement of it.
/// </summary>
public sealed class AuditCompletenessTests(PostgresServer postgres)
{
    [Fact]
    public async Task AuditLog_ScriptedAgentDay_HoldsExactlyTheExpectedRecords()
    {
        using TempDirectory store = TempDirectory.Create("gateway-golden-");
        await using HostRig rig = await HostRig.StartAsync(postgres, new StoreConfiguration
        {
            Kind = "sqlite",
            Path = Path.Combine(store.Path, "gateway.db"),
        });
        LoadedAudit audit = rig.Services.GetRequiredService<LoadedConfiguration>().Audit;
        GrantView read = await rig.RequestAsync(TestIdentities.Agent);

        await Assert.ThrowsAsync<PostgresException>(async () =>
        {
            // One attempt: without this Npgsql retries a failed login once without GSS encryption.
            await using var wrong = new NpgsqlConnection(rig.ConnectionString(read.Credential!, password: "not-the-credential") + ";GSS Encryption Mode=Disable");
            await wrong.OpenAsync();
        });

        await using (NpgsqlConnection connection = await rig.ConnectAsync(read.Credential!))
        {
            await using (var simple = new NpgsqlCommand("SELECT 'simple'", connection))
            {
                await simple.ExecuteScalarAsync();
            }

            await using (var prepared = new NpgsqlCommand("SELECT $1::int + 1", connection))
            {
                prepared.Parameters.Add(new NpgsqlParameter { Value = 1 });
                await prepared.PrepareAsync();
                for (int i = 0; i < 3; i++)
                {
                    prepared.Parameters[0].Value = i;
                    await prepared.ExecuteScalarAsync();
                }
            }

            using (TextReader copy = await connection.BeginTextExportAsync("COPY (SELECT generate_series(1, 3)) TO STDOUT"))
            {
                await copy.ReadToEndAsync();
            }

            await using var failing = new NpgsqlCommand("SELECT 1/0", connection);
            await Assert.ThrowsAsync<PostgresException>(() => failing.ExecuteScalarAsync());
        }

        await rig.Observer.WaitForCloseAsync(session => session.Identity == TestIdentities.Agent);
        await rig.Services.GetRequiredService<AuditTrail>().SettledAsync();
        GrantView write = await rig.RequestAsync(TestIdentities.Agent, scope: "write");
        await rig.PostAsync(TestIdentities.Reviewer, $"/v1/grants/{write.Id}/deny", "not for this task");
        await rig.PostAsync(TestIdentities.Agent, $"/v1/grants/{read.Id}/revoke", "done");
        await rig.Services.GetRequiredService<AuditTrail>().SettledAsync();

        AuditChain chain = AuditChain.Read(audit);
        string[] types = [.. chain.Records.Select(pair => pair.Record.Type)];
        Assert.Equal(
            [
                AuditEventTypes.GatewayStart, AuditEventTypes.ConfigurationLoaded,
                AuditEventTypes.GrantRequested, AuditEventTypes.GrantApproved, AuditEventTypes.GrantActivated, AuditEventTypes.GrantCredentialIssued,
                AuditEventTypes.AuthenticationFailed,
                AuditEventTypes.SessionOpened, AuditEventTypes.SessionClosed,
                AuditEventTypes.GrantRequested, AuditEventTypes.GrantDenied,
                AuditEventTypes.GrantRevoked,
            ],
            types);

        AuditRecord closed = chain.Records.Single(pair => pair.Record.Type == AuditEventTypes.SessionClosed).Record;
        Assert.Equal("ClientTerminate", closed.Data["reason"]!.GetValue<string>());
        Assert.True(closed.Data["statements"]!.GetValue<long>() >= 6);
        Assert.Equal(read.Id, chain.Records.Single(pair => pair.Record.Type == AuditEventTypes.AuthenticationFailed).Record.Grant);
        Assert.Equal("not for this task", chain.Records.Single(pair => pair.Record.Type == AuditEventTypes.GrantDenied).Record.Data["reason"]!.GetValue<string>());

        string recording = Path.Combine(audit.RecordingDirectory, closed.Data["recording"]!["path"]!.GetValue<string>());
        string transcript = Transcript.Render(recording);
        Assert.Contains("SELECT 'simple'", transcript, StringComparison.Ordinal);
        Assert.Contains("SELECT $1::int + 1", transcript, StringComparison.Ordinal);
        Assert.Contains("COPY (SELECT generate_series(1, 3)) TO STDOUT", transcript, StringComparison.Ordinal);
        Assert.Contains("division by zero", transcript, StringComparison.Ordinal);
    }
}
