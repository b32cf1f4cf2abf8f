using Gateway.Core.Masking;
using Gateway.Core.Sessions;
using Gateway.Core.Transport;
using Gateway.Host.Recording;
using Gateway.Testing;
using Npgsql;

namespace Gateway.Host.Tests.Recording;

/// <summary>A real session through the gateway into a recording file, as the host wires it.</summary>
public sealed class RecordedSessionTests(PostgresServer postgres)
{
    [Fact]
    public async Task Session_RecordedThroughTheStore_SealedFileReplaysStatementsRowsAndEnd()
    {
        await using var kit = new RecordingTestKit(o => o with { FrameBytes = 1 << 20 });
        await using GatewayRig rig = GatewayRig.Start(postgres);
        SessionRecording? recording = null;
        rig.Authorizer.Decide = (context, target) =>
        {
            recording = kit.Store.Create(
                new RecordingHeader("it-" + Guid.NewGuid().ToString("N"), "g_it", context.Credential.Identity, target.Name, "read", target.Database, DateTimeOffset.UtcNow),
                new ContentRedactor(ContentDetectors.All, []));
            return SessionAuthorization.Allow(target) with { Recorder = recording };
        };

        await using (NpgsqlConnection connection = await rig.OpenAsync("Server Compatibility Mode=NoTypeLoading;"))
        {
            await using var command = new NpgsqlCommand("SELECT g AS n, 'row ' || g AS label FROM generate_series(1, 3) g WHERE $1 <> ''", connection);
            command.Parameters.AddWithValue("dora@example.com");
            await using NpgsqlDataReader reader = await command.ExecuteReaderAsync(TestContext.Current.CancellationToken);
            while (await reader.ReadAsync(TestContext.Current.CancellationToken))
            {
            }
        }

        PgSession session = await rig.Observer.WaitForCloseAsync(_ => true);
        Assert.Equal(CloseReason.ClientTerminate, session.CloseReason);

        // What the host does in its OnClosed observer; the seal goes into the closing audit record.
        RecordingSeal seal = await recording!.CompleteAsync(session.CloseReason.ToString(), session.BytesFromClient, session.BytesFromServer, session.Statements);

        Assert.True(seal.Succeeded, seal.Failure);
        Assert.Equal(RecordingStatus.Sealed, RecordingReader.Verify(seal.Path).Status);
        string transcript = Transcript.Render(seal.Path);
        Assert.Contains("> Parse \"\": SELECT g AS n, 'row ' || g AS label FROM generate_series(1, 3) g WHERE $1 <> ''", transcript);
        Assert.Contains("$1='[email]' (masked)", transcript);
        Assert.DoesNotContain("dora@example.com", transcript);
        Assert.Contains("<   2 | row 2", transcript);
        Assert.Contains("< SELECT 3", transcript);
        Assert.Contains("> Terminate", transcript);
        Assert.EndsWith("-- end: sealed, ClientTerminate" + Environment.NewLine, transcript);
        Assert.Equal(0, kit.Store.ActiveCount);
    }
}
