using Gateway.Host.Audit;

namespace Gateway.Host.Tests.Audit;

/// <summary>AUD-03: no single flipped bit in a segment or in checkpoints.log goes unnoticed, and the report points at its line.</summary>
public sealed class AuditVerifierBitFlipTests
{
    [Fact]
    public async Task Verify_RandomBitFlipsAcrossSegmentsAndCheckpoints_EachFailsNamingTheLineItIsIn()
    {
        using var fixture = new AuditFixture(segmentMaxBytes: 64 * 1024);
        await fixture.WriteLogAsync(checkpoints: 4, perCheckpoint: 250, tail: 10);
        Assert.True(fixture.Segments().Length >= 2);
        var random = new Random(20261205);

        AssertEveryFlipDetected(fixture, total => Enumerable.Range(0, 512).Select(_ => random.NextInt64(total * 8)));
    }

    /// <summary>The full sweep, for a release: every bit (about 70 000) of a small log with a rotated segment and four checkpoints; minutes, not seconds.</summary>
    [Fact(Explicit = true)]
    public async Task Verify_EveryBitFlippedInASmallLog_EachFailsNamingTheLineItIsIn()
    {
        using var fixture = new AuditFixture(segmentMaxBytes: 4096);
        await fixture.WriteLogAsync(checkpoints: 3, perCheckpoint: 5, tail: 5);
        Assert.True(fixture.Segments().Length >= 2);

        AssertEveryFlipDetected(fixture, total => Enumerable.Range(0, (int)(total * 8)).Select(bit => (long)bit));
    }

    /// <summary>Flips each chosen bit (counted across the segments then checkpoints.log), verifies, and restores it.</summary>
    private static void AssertEveryFlipDetected(AuditFixture fixture, Func<long, IEnumerable<long>> chooseBits)
    {
        string[] files = [.. fixture.Segments(), fixture.CheckpointsPath];
        Assert.True(fixture.Verify().IsValid);
        long[] sizes = [.. files.Select(f => new FileInfo(f).Length)];
        var passed = new List<string>();
        var misplaced = new List<string>();
        foreach (long bit in chooseBits(sizes.Sum()))
        {
            (string file, long offset) = Locate(files, sizes, bit / 8);
            byte[] original = File.ReadAllBytes(file);
            byte[] flipped = (byte[])original.Clone();
            flipped[offset] ^= (byte)(1 << (int)(bit % 8));
            File.WriteAllBytes(file, flipped);

            AuditVerification verification = fixture.Verify();

            File.WriteAllBytes(file, original);
            string where = $"{Path.GetFileName(file)} byte {offset} bit {bit % 8}";
            if (verification.IsValid)
            {
                passed.Add(where);
                continue;
            }

            long lineStart = original.AsSpan(0, (int)offset).LastIndexOf((byte)'\n') + 1;
            AuditFinding first = verification.FirstError!;
            string expectedFile = file == fixture.CheckpointsPath ? AuditFiles.Checkpoints : Path.GetFileName(file);
            if (first.File != expectedFile || first.Offset != lineStart)
            {
                misplaced.Add($"{where}: reported {first}");
            }
        }

        foreach (string line in passed.Concat(misplaced))
        {
            TestContext.Current.TestOutputHelper?.WriteLine(line);
        }

        Assert.True(passed.Count == 0, "flips that verified: " + string.Join("; ", passed));
        Assert.True(misplaced.Count == 0, "flips reported elsewhere: " + string.Join("; ", misplaced));
    }

    private static (string File, long Offset) Locate(string[] files, long[] sizes, long offset)
    {
        for (int i = 0; ; i++)
        {
            if (offset < sizes[i])
            {
                return (files[i], offset);
            }

            offset -= sizes[i];
        }
    }
}
