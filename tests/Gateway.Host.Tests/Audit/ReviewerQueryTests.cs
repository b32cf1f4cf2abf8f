using System.Net;
using Gateway.Host.Audit;
using Gateway.Host.Configuration;
using Gateway.Host.Control;
using Gateway.Host.Tests.Support;
using Gateway.Testing;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Gateway.Host.Tests.Audit;

/// <summary>
/// The reviewer's question answered end to end: an agent asks for a grant, connects through the gateway to the real
/// PostgreSQL, runs statements and leaves; the reviewer's query, the session's transcript and the verifier then tell
/// the story from the chain and the recording, and say so when either was tampered with.
/// </summary>
public sealed class ReviewerQueryTests(PostgresServer postgres) : IDisposable
{
    /// <summary>The test's SQLite store; its host is disposed by the test itself, before this.</summary>
    private readonly TempDirectory _store = TempDirectory.Create("gateway-review-");

    public void Dispose() => _store.Dispose();

    [Fact]
    public async Task Query_AfterAnAgentSession_AnswersWhoWhatWhenApprovedByWhomAndWhatWasDone()
    {
        await using HostRig rig = await StartAsync();
        GrantView grant = await rig.RequestAsync(TestIdentities.Agent, duration: "15m");
        long sessionId = await RunSessionAsync(rig, grant, "SELECT 'ada@example.com'", "SELECT generate_series(1, 5)");

        AuditSessionView view = Assert.Single(await QueryAsync(rig, $"agent={TestIdentities.Agent}&target={TestConfiguration.Target}"));
        Assert.Equal(TestIdentities.Agent, view.Agent);
        Assert.Equal(grant.Id, view.Grant);
        Assert.Equal("read", view.Scope);
        Assert.Equal(grant.ApprovedAt, view.WindowFrom);
        Assert.Equal(grant.ExpiresAt, view.WindowTo);
        Assert.Equal("ClientTerminate", view.EndReason);
        Assert.NotNull(view.EndedAt);
        Assert.True(view.StartedAt <= view.EndedAt);
        Assert.Equal("policy:read-auto", Assert.Single(view.Decisions).By);
        Assert.Equal("integration test task", view.Task);
        Assert.Equal("because tests", view.Justification);
        Assert.True(view.Statements >= 2, $"statements {view.Statements}");
        Assert.True(view.RowsReturned >= 6, $"rows {view.RowsReturned}");
        Assert.True(view.AuditStatus is "verified" || view.AuditStatus.StartsWith("chained", StringComparison.Ordinal), view.AuditStatus);
        Assert.Equal("verified", view.RecordingStatus);
        Assert.True(sessionId > 0);

        string transcript = await rig.Api(TestIdentities.Reviewer).GetStringAsync($"/v1/audit/sessions/{view.Session}/transcript");
        Assert.Contains("SELECT generate_series(1, 5)", transcript, StringComparison.Ordinal);

        // AUD-11, the other side of the masked-target case in RecordedSessionTests: this target has no masking policy,
        // so a literal is recorded as the agent wrote it.
        Assert.Contains("SELECT 'ada@example.com'", transcript, StringComparison.Ordinal);
        Assert.Contains("ClientTerminate", transcript, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Query_Agent_IsForbidden()
    {
        await using HostRig rig = await StartAsync();
        HttpResponseMessage response = await rig.Api(TestIdentities.Agent).GetAsync("/v1/audit/sessions");
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task Query_ClosingRecordEditedOnDisk_ReportsTheTamperAndVerifyNamesTheRecord()
    {
        await using HostRig rig = await StartAsync();
        GrantView grant = await rig.RequestAsync(TestIdentities.Agent);
        await RunSessionAsync(rig, grant, "SELECT 1");

        // A disk holder lowers the statement count in the closing record: the hash no longer matches.
        LoadedAudit audit = rig.Services.GetRequiredService<LoadedConfiguration>().Audit;
        string segment = Directory.GetFiles(audit.Directory, "audit-*.log").Order(StringComparer.Ordinal).Last();
        string text = await File.ReadAllTextAsync(segment);
        int closed = text.IndexOf("\"session.closed\"", StringComparison.Ordinal);
        int statements = text.IndexOf("\"statements\":", closed, StringComparison.Ordinal) + "\"statements\":".Length;
        char digit = text[statements];
        await File.WriteAllTextAsync(segment, text[..statements] + (digit == '9' ? '8' : (char)(digit + 1)) + text[(statements + 1)..]);

        AuditSessionView view = Assert.Single(await QueryAsync(rig, $"grant={grant.Id}"));
        Assert.StartsWith("NOT VERIFIED", view.AuditStatus, StringComparison.Ordinal);

        AuditVerifyView verification = AuditReview.VerifyFiles(audit);
        Assert.False(verification.Ok);
        Assert.Contains(Path.GetFileName(segment), verification.Errors[0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_RecordingEditedAfterItsSeal_IsReportedAsAltered()
    {
        await using HostRig rig = await StartAsync();
        GrantView grant = await rig.RequestAsync(TestIdentities.Agent);
        await RunSessionAsync(rig, grant, "SELECT 'recorded'");

        LoadedAudit audit = rig.Services.GetRequiredService<LoadedConfiguration>().Audit;
        string recording = Assert.Single(Directory.GetFiles(audit.RecordingDirectory, "*", SearchOption.AllDirectories));
        await File.AppendAllTextAsync(recording, "appended later");

        AuditVerifyView verification = AuditReview.VerifyFiles(audit);
        Assert.False(verification.Ok);
        RecordingCheckView check = Assert.Single(verification.Recordings);
        Assert.StartsWith("altered", check.Status, StringComparison.Ordinal);
    }

    private async Task<HostRig> StartAsync()
        => await HostRig.StartAsync(postgres, new StoreConfiguration
        {
            Kind = "sqlite",
            Path = Path.Combine(_store.Path, "gateway.db"),
        });

    /// <summary>Runs statements in one session, closes it, and waits until its closing record and index row are written.</summary>
    private static async Task<long> RunSessionAsync(HostRig rig, GrantView grant, params string[] statements)
    {
        long id;
        await using (NpgsqlConnection connection = await rig.ConnectAsync(grant.Credential!))
        {
            foreach (string statement in statements)
            {
                await using var command = new NpgsqlCommand(statement, connection);
                await using NpgsqlDataReader reader = await command.ExecuteReaderAsync();
                while (await reader.ReadAsync())
                {
                }
            }

            id = connection.ProcessID;
        }

        await rig.Observer.WaitForCloseAsync(session => session.Identity == TestIdentities.Agent);
        await rig.Services.GetRequiredService<AuditTrail>().SettledAsync();
        return id;
    }

    private static async Task<List<AuditSessionView>> QueryAsync(HostRig rig, string query)
    {
        HttpResponseMessage response = await rig.Api(TestIdentities.Reviewer).GetAsync("/v1/audit/sessions?" + query);
        string body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, body);
        return System.Text.Json.JsonSerializer.Deserialize(body, ControlJsonContext.Default.ListAuditSessionView)!;
    }
}
