using Gateway.Host.Audit;

namespace Gateway.Host.Tests.Audit;

/// <summary>
/// AUD-08: a log cut at any byte past its last checkpoint (what kill -9 during a batch leaves) opens again: the torn
/// bytes go to a quarantine file, the unclean shutdown is recorded, the chain continues, and it verifies.
/// </summary>
public sealed class AuditLogRecoveryTests
{
    [Fact]
    public async Task OpenAsync_LogCutAtManyOffsets_QuarantinesTornTailRecordsUncleanShutdownAndVerifies()
    {
        using var source = new AuditFixture();
        AuditLog crashed = await source.OpenAsync();
        await AuditFixture.AppendManyAsync(crashed, 0, 20);
        await source.CheckpointAsync(crashed);
        await AuditFixture.AppendManyAsync(crashed, 20, 8);
        string image = Path.Combine(source.Root, "crash-image");
        AuditFixture.CopyDirectory(source.LogDirectory, image);
        await crashed.DisposeAsync();
        byte[] segment = File.ReadAllBytes(Path.Combine(image, AuditFiles.SegmentName(1)));
        int checkpointedLength = AuditFixture.ReadLines(Path.Combine(image, AuditFiles.SegmentName(1))).Take(21).Sum(l => l.Length + 1);

        int iterations = 0;
        for (int cut = checkpointedLength; cut <= segment.Length; cut += 7, iterations++)
        {
            using var fixture = new AuditFixture();
            AuditFixture.CopyDirectory(image, fixture.LogDirectory);
            File.WriteAllBytes(fixture.Segment(1), segment[..cut]);
            long wholeLength = segment.AsSpan(0, cut).LastIndexOf((byte)'\n') + 1;
            long lastSeq = segment.AsSpan(0, cut).Count((byte)'\n');

            await using (AuditLog log = await fixture.OpenAsync())
            {
                await log.AppendAsync(AuditFixture.Statement(99), CancellationToken.None);
            }

            Assert.True(File.ReadAllBytes(fixture.Segment(1)).AsSpan(0, (int)wholeLength).SequenceEqual(segment.AsSpan(0, (int)wholeLength)), "every whole record survives recovery unchanged");
            List<AuditRecord> records = AuditFixture.ReadRecords(fixture.Segment(1));
            AuditRecord unclean = records[(int)lastSeq];
            Assert.Equal((AuditEventTypes.UncleanShutdown, lastSeq + 1), (unclean.Type, unclean.Seq));
            Assert.Equal(lastSeq, (long)unclean.Data["lastSeq"]!);
            Assert.Equal(cut - wholeLength, (long)unclean.Data["quarantinedBytes"]!);
            Assert.Equal(
                [AuditEventTypes.UncleanShutdown, AuditEventTypes.GatewayStart, "statement.executed", AuditEventTypes.GatewayStop],
                records.Skip((int)lastSeq).Select(r => r.Type));
            string[] quarantined = Directory.GetFiles(fixture.LogDirectory, AuditFiles.QuarantinePattern);
            if (cut > wholeLength)
            {
                string quarantine = Assert.Single(quarantined);
                Assert.Equal((string?)unclean.Data["quarantineFile"], Path.GetFileName(quarantine));
                Assert.StartsWith($"quarantine-{lastSeq + 1}-", Path.GetFileName(quarantine), StringComparison.Ordinal);
                Assert.Equal(segment[(int)wholeLength..cut], File.ReadAllBytes(quarantine));
            }
            else
            {
                Assert.Empty(quarantined);
            }

            AuditVerification verification = fixture.Verify();
            Assert.True(verification.IsValid, $"cut at {cut}: " + string.Join('\n', verification.Errors));
            Assert.Contains(verification.Warnings, w => w.Kind == AuditFindingKind.UncleanShutdown && w.Seq == lastSeq + 1);
            Assert.Equal(cut > wholeLength, verification.Warnings.Any(w => w.Kind == AuditFindingKind.QuarantinePresent));
            Assert.True(verification.Covers(lastSeq + 4));
        }

        Assert.True(iterations >= 200, $"{iterations} cuts");
    }

    [Fact]
    public async Task OpenAsync_CheckpointTorn_QuarantinesItAndTheCheckpointChainContinues()
    {
        using var fixture = new AuditFixture();
        await using (AuditLog log = await fixture.OpenAsync())
        {
            await fixture.CheckpointAsync(log);
            await fixture.CheckpointAsync(log);
        }

        byte[] checkpoints = File.ReadAllBytes(fixture.CheckpointsPath);
        File.WriteAllBytes(fixture.CheckpointsPath, checkpoints[..^40]);
        await using (AuditLog log = await fixture.OpenAsync())
        {
            await fixture.CheckpointAsync(log);
        }

        string quarantine = Assert.Single(Directory.GetFiles(fixture.LogDirectory, "quarantine-checkpoint-*.bin"));
        Assert.Equal(checkpoints.Length - 40 - checkpoints.AsSpan(0, checkpoints.Length - 40).LastIndexOf((byte)'\n') - 1, new FileInfo(quarantine).Length);
        AuditVerification verification = fixture.Verify(new AuditVerifyOptions());
        Assert.True(verification.IsValid, string.Join('\n', verification.Errors));
        Assert.Equal(4, verification.CheckpointCount);
        Assert.Equal(AuditEventTypes.UncleanShutdown, fixture.ReadAllRecords().Single(r => r.Seq == 3).Type);
    }
}
