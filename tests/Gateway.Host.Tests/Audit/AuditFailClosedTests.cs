using System.Net;
using System.Net.Http.Json;
using Gateway.Core.Sessions;
using Gateway.Core.Transport;
using Gateway.Host.Audit;
using Gateway.Host.Configuration;
using Gateway.Host.Control;
using Gateway.Host.Grants;
using Gateway.Host.Storage;
using Gateway.Host.Tests.Support;
using Gateway.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Npgsql;

namespace Gateway.Host.Tests.Audit;

/// <summary>
/// AUD-12 / FAULT-12 through the whole gateway: when the audit log's disk fails, no new session starts, live sessions
/// end, grants cannot change; when it is back, the outage and the ended sessions are recorded.
/// </summary>
public sealed class AuditFailClosedTests(PostgresServer postgres)
{
    [Fact]
    public async Task Serve_AuditDiskFails_RefusesNewSessionsEndsLiveOnesAndRecordsThemWhenItIsBack()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var faults = new AuditFaults();
        using TempDirectory store = TempDirectory.Create("gateway-failclosed-");
        await using HostRig rig = await HostRig.StartAsync(
            postgres,
            new StoreConfiguration { Kind = "sqlite", Path = Path.Combine(store.Path, "gateway.db") },
            time,
            services: (collection, configuration) => collection.AddSingleton(provider => new AuditTrail(
                configuration.Audit, provider.GetRequiredService<IControlStore>(), time, provider.GetRequiredService<ILoggerFactory>(),
                path => new FaultInjectingStream(AuditFiles.OpenWrite(path), faults))));
        AuditTrail trail = rig.Services.GetRequiredService<AuditTrail>();
        GrantView grant = await rig.RequestAsync(TestIdentities.Agent);
        NpgsqlConnection live = await rig.ConnectAsync(grant.Credential!);
        await using (var ok = new NpgsqlCommand("SELECT 1", live))
        {
            Assert.Equal(1, await ok.ExecuteScalarAsync());
        }

        faults.Next = new IOException("injected: no space left on device", 28);

        PostgresException refused = await Assert.ThrowsAsync<PostgresException>(() => rig.ConnectAsync(grant.Credential!));
        Assert.Equal("57P03", refused.SqlState);
        Assert.False(trail.IsAvailable);

        Task<PgSession> ended = rig.Observer.WaitForCloseAsync(session => session.CloseReason == CloseReason.TerminatedByHost);
        time.Advance(TimeSpan.FromSeconds(1));
        PgSession endedSession = await ended.WaitAsync(TimeSpan.FromSeconds(10));
        await Assert.ThrowsAnyAsync<NpgsqlException>(async () =>
        {
            await using var command = new NpgsqlCommand("SELECT 1", live);
            await command.ExecuteScalarAsync();
        });
        await live.DisposeAsync();

        HttpResponseMessage change = await rig.Api(TestIdentities.Agent).PostAsJsonAsync("/v1/grants",
            new GrantRequestBody(TestConfiguration.Target, "read", "5m", "during the outage", null, 0, true), ControlJsonContext.Default.GrantRequestBody);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, change.StatusCode);

        faults.Next = null;
        Task settled = trail.SettledAsync();
        for (int i = 0; i < 30 && !settled.IsCompleted; i++)
        {
            // The log probes once a second and the waiting closing record retries once a second, both on this clock.
            time.Advance(TimeSpan.FromSeconds(1));
            await Task.WhenAny(settled, Task.Delay(TimeSpan.FromMilliseconds(100), TimeProvider.System));
        }

        await settled.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(trail.IsAvailable);
        string sessionId = ((GrantSessionState)endedSession.State!).SessionId;
        AuditChain chain = AuditChain.Read(rig.Services.GetRequiredService<LoadedConfiguration>().Audit);
        Assert.Contains(chain.Records, pair => pair.Record.Type == AuditEventTypes.Recovered);
        AuditRecord closed = Assert.Single(chain.BySession[sessionId], record => record.Type == AuditEventTypes.SessionClosed);
        Assert.Equal(nameof(CloseReason.TerminatedByHost), closed.Data["reason"]!.GetValue<string>());
        Assert.True(chain.Verification.IsValid, string.Join('\n', chain.Verification.Errors));
    }
}
