using System.Text.Json.Nodes;
using Gateway.Host.Audit;

namespace Gateway.Host.Tests.Audit;

/// <summary>
/// AUD-04 to AUD-07: deletion, truncation, reordering, grafting, re-signing with the stolen key, and checkpoint gaps,
/// each against a closed log of 3 timed checkpoints (after seq 11, 21, 31) and a final one (seq 42).
/// </summary>
public sealed class AuditVerifierTests : IAsyncLifetime
{
    private readonly AuditFixture _fixture = new();

    public async ValueTask InitializeAsync() => await _fixture.WriteLogAsync(checkpoints: 3, perCheckpoint: 10, tail: 10);

    public ValueTask DisposeAsync()
    {
        _fixture.Dispose();
        return ValueTask.CompletedTask;
    }

    private string Segment => _fixture.Segment(1);

    [Fact]
    public void Verify_UntouchedLog_ValidAndEveryRecordCovered()
    {
        AuditVerification verification = _fixture.Verify();

        Assert.True(verification.IsValid, string.Join('\n', verification.Errors));
        Assert.Empty(verification.Warnings);
        Assert.Equal(42, verification.LastSeq);
        Assert.Equal(4, verification.CheckpointCount);
        Assert.Equal([new AuditSeqRange(1, 42)], verification.VerifiedRanges);
    }

    [Fact]
    public void Verify_WitnessFileMissing_WarnsThatTruncationGoesUnseen()
    {
        File.Delete(_fixture.WitnessFile);

        AuditVerification verification = _fixture.Verify();

        Assert.True(verification.IsValid);
        Assert.Contains(verification.Warnings, w => w.Kind == AuditFindingKind.WitnessUnavailable);
    }

    [Fact]
    public void Verify_MiddleRecordDeleted_ReportsGapAtTheNextRecord()
    {
        EditLines(Segment, lines => lines.RemoveAt(19));

        AuditFinding first = FirstError();
        Assert.Equal(AuditFindingKind.SequenceGap, first.Kind);
        Assert.Equal((Path.GetFileName(Segment), 20L, 21L), (first.File, first.Line, first.Seq));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(15)]
    public void Verify_LastRecordsDeleted_ReportsTailTruncation(int count)
    {
        EditLines(Segment, lines => lines.RemoveRange(lines.Count - count, count));

        AuditVerification verification = _fixture.Verify(new AuditVerifyOptions());

        Assert.Contains(verification.Errors, e => e.Kind == AuditFindingKind.TailTruncated && e.Seq == 43 - count);
        Assert.Contains(_fixture.Verify().Errors, e => e.Kind == AuditFindingKind.TailTruncated && e.File.EndsWith("(witness)", StringComparison.Ordinal));
    }

    [Fact]
    public void Verify_TruncatedMidRecord_ReportsTornTailAndTruncation()
    {
        long length = new FileInfo(Segment).Length;
        using (var file = new FileStream(Segment, FileMode.Open))
        {
            file.SetLength(length - 150);
        }

        AuditVerification verification = _fixture.Verify();

        Assert.Contains(verification.Warnings, w => w.Kind == AuditFindingKind.TornTail && w.Line == 42);
        Assert.Contains(verification.Errors, e => e.Kind == AuditFindingKind.TailTruncated && e.Seq == 42);
    }

    [Fact]
    public async Task Verify_SegmentDeleted_ReportsMissingSegmentOrTruncation()
    {
        using var fixture = new AuditFixture(segmentMaxBytes: 4096);
        await fixture.WriteLogAsync(checkpoints: 2, perCheckpoint: 30, tail: 30);
        string[] segments = fixture.Segments();
        Assert.True(segments.Length >= 4);
        string copy = Path.Combine(fixture.Root, "last-segment");
        File.Move(segments[^1], copy);

        Assert.Contains(fixture.Verify().Errors, e => e.Kind == AuditFindingKind.TailTruncated);

        File.Move(copy, segments[^1]);
        File.Delete(segments[1]);
        AuditFinding first = fixture.Verify().FirstError!;
        Assert.Equal((AuditFindingKind.SegmentMissing, Path.GetFileName(segments[1])), (first.Kind, first.File));
    }

    [Fact]
    public void Verify_NewestCheckpointDeleted_DetectedAgainstTheWitnessOnly()
    {
        EditLines(_fixture.CheckpointsPath, lines => lines.RemoveAt(lines.Count - 1));

        AuditVerification alone = _fixture.Verify(new AuditVerifyOptions());
        Assert.True(alone.IsValid);
        Assert.Contains(alone.Warnings, w => w.Kind == AuditFindingKind.UncheckpointedTail && w.Seq == 32);
        Assert.Contains(_fixture.Verify().Errors, e => e.Kind == AuditFindingKind.WitnessedCheckpointMissing && e.Seq == 42);
    }

    [Fact]
    public void Verify_NewestCheckpointAndRecordsAfterThePreviousDeleted_WitnessShowsTruncation()
    {
        EditLines(_fixture.CheckpointsPath, lines => lines.RemoveAt(lines.Count - 1));
        EditLines(Segment, lines => lines.RemoveRange(31, lines.Count - 31));

        Assert.True(_fixture.Verify(new AuditVerifyOptions()).IsValid);
        AuditVerification verification = _fixture.Verify();
        AuditFinding truncation = Assert.Single(verification.Errors, e => e.Kind == AuditFindingKind.TailTruncated);
        Assert.Equal(32, truncation.Seq);
        Assert.EndsWith("(witness)", truncation.File, StringComparison.Ordinal);
    }

    [Fact]
    public void Verify_AdjacentRecordsSwapped_ReportsTheFirstOutOfPlace()
    {
        EditLines(Segment, lines => (lines[14], lines[15]) = (lines[15], lines[14]));

        AuditFinding first = FirstError();
        Assert.Equal((AuditFindingKind.SequenceGap, 15L, 16L), (first.Kind, first.Line, first.Seq));
        Assert.Contains(_fixture.Verify().Errors, e => e.Kind == AuditFindingKind.SequenceDuplicate && e.Line == 16);
    }

    [Fact]
    public void Verify_RecordDuplicated_ReportsDuplicate()
    {
        EditLines(Segment, lines => lines.Insert(25, lines[24]));

        AuditFinding first = FirstError();
        Assert.Equal((AuditFindingKind.SequenceDuplicate, 26L, 25L), (first.Kind, first.Line, first.Seq));
    }

    [Fact]
    public void Verify_RecordFromElsewhereSplicedIn_ReportsIt()
    {
        EditLines(Segment, lines => lines.Insert(30, lines[5]));

        AuditFinding first = FirstError();
        Assert.Equal((AuditFindingKind.SequenceDuplicate, 31L, 6L), (first.Kind, first.Line, first.Seq));
        Assert.Equal([new AuditSeqRange(1, 21), new AuditSeqRange(31, 42)], _fixture.Verify().VerifiedRanges);
    }

    [Fact]
    public async Task Verify_SegmentAndCheckpointsGraftedFromAnotherLog_RejectedByLogId()
    {
        using var other = new AuditFixture();
        await other.WriteLogAsync(checkpoints: 3, perCheckpoint: 10, tail: 10);
        List<string> foreign = AuditFixture.ReadLines(other.Segment(1));
        EditLines(Segment, lines => lines[20] = foreign[20]);

        AuditFinding first = FirstError();
        Assert.Equal((AuditFindingKind.HashMismatch, 21L, 21L), (first.Kind, first.Line, first.Seq));
        Assert.Equal([new AuditSeqRange(1, 11), new AuditSeqRange(22, 42)], _fixture.Verify().VerifiedRanges);

        File.Copy(other.Segment(1), Segment, overwrite: true);
        File.Copy(other.CheckpointsPath, _fixture.CheckpointsPath, overwrite: true);
        AuditVerification grafted = _fixture.Verify(new AuditVerifyOptions());
        Assert.Equal(AuditFindingKind.HashMismatch, grafted.FirstError!.Kind);
        Assert.Equal(1, grafted.FirstError.Seq);
        Assert.Contains(grafted.Errors, e => e.Kind == AuditFindingKind.ForeignLogId);
    }

    [Fact]
    public void Verify_HistoryRewrittenAndResignedWithTheStolenKey_ContradictsTheWitness()
    {
        AuditForger.RewriteChain(_fixture.LogDirectory, r => r.Seq == 15 ? r with { Data = new JsonObject { ["sql"] = "SELECT 1", ["rows"] = 0 } } : r);
        AuditForger.ResignCheckpoints(_fixture.LogDirectory);

        Assert.True(_fixture.Verify(new AuditVerifyOptions()).IsValid, "without a witness a rewrite with the key is consistent");
        AuditVerification verification = _fixture.Verify();
        Assert.False(verification.IsValid);
        Assert.Equal(AuditFindingKind.WitnessContradicted, verification.FirstError!.Kind);
        Assert.Equal(21, verification.FirstError.Seq);
        Assert.Contains(verification.Errors, e => e.Kind == AuditFindingKind.WitnessedCheckpointMissing);
    }

    [Fact]
    public async Task Verify_CheckpointSignedWithAnotherKey_ReportsUnknownKey()
    {
        using var other = new AuditFixture();
        await other.WriteLogAsync(checkpoints: 0, perCheckpoint: 0, tail: 0);
        string ownKey = File.ReadAllText(Path.Combine(_fixture.LogDirectory, AuditFiles.PublicKey));
        File.Copy(Path.Combine(other.LogDirectory, AuditFiles.SigningKey), Path.Combine(_fixture.LogDirectory, AuditFiles.SigningKey), overwrite: true);
        AuditForger.ResignCheckpoints(_fixture.LogDirectory);

        AuditVerification verification = _fixture.Verify(new AuditVerifyOptions { ExpectedPublicKeyPem = ownKey });
        Assert.Equal(AuditFindingKind.KeyUnknown, verification.FirstError!.Kind);
        Assert.Empty(verification.VerifiedRanges);

        string foreignKey = File.ReadAllText(Path.Combine(other.LogDirectory, AuditFiles.PublicKey));
        Assert.Contains(_fixture.Verify(new AuditVerifyOptions { ExpectedPublicKeyPem = foreignKey }).Errors, e => e.Kind == AuditFindingKind.KeyMismatch);
    }

    [Fact]
    public async Task Checkpoints_IdleForThreeIntervals_ThreeEmptyCheckpointsAndARemovedOneIsAGap()
    {
        using var fixture = new AuditFixture();
        await using (AuditLog log = await fixture.OpenAsync())
        {
            for (int i = 0; i < 3; i++)
            {
                await fixture.CheckpointAsync(log);
            }

            List<string> lines = AuditFixture.ReadLines(fixture.CheckpointsPath);
            Assert.Equal(3, lines.Count);
            Assert.All(lines, line => Assert.Contains("\"seq\":1,", line, StringComparison.Ordinal));
            AuditVerification idle = fixture.Verify();
            Assert.True(idle.IsValid, string.Join('\n', idle.Errors));
            Assert.Equal(3, idle.CheckpointCount);
        }

        EditLines(fixture.CheckpointsPath, lines => lines.RemoveAt(1));

        AuditFinding gap = fixture.Verify().FirstError!;
        Assert.Equal((AuditFindingKind.CheckpointGap, 2L), (gap.Kind, gap.Line));
    }

    [Fact]
    public void Verify_CheckpointDatedBeforeItsPredecessor_Rejected()
    {
        AuditForger.ResignCheckpoints(_fixture.LogDirectory, (index, time) => index == 2 ? time.AddMinutes(-5) : time);

        AuditFinding first = _fixture.Verify(new AuditVerifyOptions()).FirstError!;
        Assert.Equal((AuditFindingKind.CheckpointTimeBackwards, 3L, 31L), (first.Kind, first.Line, first.Seq));
    }

    private AuditFinding FirstError()
    {
        AuditVerification verification = _fixture.Verify();
        Assert.False(verification.IsValid);
        return verification.FirstError!;
    }

    private static void EditLines(string path, Action<List<string>> edit)
    {
        List<string> lines = AuditFixture.ReadLines(path);
        edit(lines);
        AuditFixture.WriteLines(path, lines);
    }
}
