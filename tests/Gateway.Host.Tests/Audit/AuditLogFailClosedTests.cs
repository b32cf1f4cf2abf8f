using Gateway.Host.Audit;

namespace Gateway.Host.Tests.Audit;

/// <summary>AUD-12: a failing device makes the log refuse appends until writing works again, then the outage is recorded.</summary>
public sealed class AuditLogFailClosedTests
{
    [Theory]
    [InlineData(28, "ENOSPC")]
    [InlineData(5, "EIO")]
    public async Task AppendAsync_DeviceFails_ThrowsUntilAProbeWritesTheRecoveryRecord(int errno, string kind)
    {
        var faults = new AuditFaults();
        using var fixture = new AuditFixture(openWrite: path => new FaultInjectingStream(AuditFiles.OpenWrite(path), faults));
        await using (AuditLog log = await fixture.OpenAsync())
        {
            await AuditFixture.AppendManyAsync(log, 0, 5);

            faults.Next = new IOException("injected device failure", errno);
            Task<AuditRecord>[] during = [.. Enumerable.Range(5, 20).Select(i => log.AppendAsync(AuditFixture.Statement(i), CancellationToken.None).AsTask())];
            foreach (Task<AuditRecord> append in during)
            {
                await Assert.ThrowsAsync<AuditUnavailableException>(() => append);
            }

            Assert.False(log.IsAvailable);
            await Assert.ThrowsAsync<AuditUnavailableException>(() => log.AppendAsync(AuditFixture.Statement(0), CancellationToken.None).AsTask());
            await fixture.CheckpointAsync(log);
            fixture.Time.Advance(TimeSpan.FromSeconds(1));
            await log.WhenWrittenAsync();
            Assert.False(log.IsAvailable);

            faults.Next = null;
            fixture.Time.Advance(TimeSpan.FromSeconds(1));
            await log.WhenWrittenAsync();

            Assert.True(log.IsAvailable);
            AuditRecord after = await log.AppendAsync(AuditFixture.Statement(30), CancellationToken.None);
            Assert.Equal(8, after.Seq);
        }

        List<AuditRecord> records = fixture.ReadAllRecords();
        AuditRecord recovered = records[6];
        Assert.Equal((AuditEventTypes.Recovered, 7L), (recovered.Type, recovered.Seq));
        Assert.Equal(kind, (string?)recovered.Data["error"]);
        Assert.True((long)recovered.Data["rejectedAppends"]! >= 20);
        Assert.True((long)recovered.Data["quarantinedBytes"]! > 0);
        Assert.True(File.Exists(Path.Combine(fixture.LogDirectory, (string)recovered.Data["quarantineFile"]!)));
        AuditVerification verification = fixture.Verify();
        Assert.True(verification.IsValid, string.Join('\n', verification.Errors));
        Assert.Contains(verification.Warnings, w => w.Kind == AuditFindingKind.AuditOutage && w.Seq == 7);
        Assert.Contains(verification.Warnings, w => w.Kind == AuditFindingKind.QuarantinePresent);
    }

    [Fact]
    public async Task AppendAsync_RotatingOntoAFullDevice_RefusesUntilSpaceReturns()
    {
        if (!OperatingSystem.IsLinux() || !File.Exists("/dev/full"))
        {
            Assert.Skip("needs /dev/full, whose writes fail with a real ENOSPC");
        }

        using var fixture = new AuditFixture(segmentMaxBytes: 4096);
        await using (AuditLog log = await fixture.OpenAsync())
        {
            File.CreateSymbolicLink(fixture.Segment(2), "/dev/full");
            AuditUnavailableException? refused = null;
            for (int i = 0; i < 100 && refused is null; i++)
            {
                refused = await Record.ExceptionAsync(() => log.AppendAsync(AuditFixture.Statement(i), CancellationToken.None).AsTask()) as AuditUnavailableException;
            }

            Assert.NotNull(refused);
            Assert.False(log.IsAvailable);
            fixture.Time.Advance(TimeSpan.FromSeconds(1));
            await log.WhenWrittenAsync();
            Assert.False(log.IsAvailable);

            File.Delete(fixture.Segment(2));
            fixture.Time.Advance(TimeSpan.FromSeconds(1));
            await log.WhenWrittenAsync();
            Assert.True(log.IsAvailable);
        }

        AuditRecord recovered = AuditFixture.ReadRecords(fixture.Segment(2))[0];
        Assert.Equal((AuditEventTypes.Recovered, "ENOSPC"), (recovered.Type, (string?)recovered.Data["error"]));
        Assert.True(fixture.Verify().IsValid);
    }

    [Fact]
    public async Task DisposeAsync_WhileFailed_ClosesWithoutStopAndNextOpenRecordsUncleanShutdown()
    {
        var faults = new AuditFaults();
        using var fixture = new AuditFixture(openWrite: path => new FaultInjectingStream(AuditFiles.OpenWrite(path), faults));
        await using (AuditLog log = await fixture.OpenAsync())
        {
            faults.Next = new IOException("injected device failure", 28);
            await Assert.ThrowsAsync<AuditUnavailableException>(() => log.AppendAsync(AuditFixture.Statement(1), CancellationToken.None).AsTask());
        }

        faults.Next = null;
        await using (AuditLog log = await fixture.OpenAsync())
        {
            Assert.True(log.IsAvailable);
        }

        Assert.Equal(
            [AuditEventTypes.GatewayStart, AuditEventTypes.UncleanShutdown, AuditEventTypes.GatewayStart, AuditEventTypes.GatewayStop],
            fixture.ReadAllRecords().Select(r => r.Type));
        Assert.True(fixture.Verify().IsValid);
    }
}
