using Gateway.Host.Audit;

namespace Gateway.Host.Tests.Audit;

/// <summary>AUD-03: no single flipped bit in a segment or in checkpoints.log goes unnoticed, and the report points at its line.</summary>
public sealed class AuditVerifierBitFlipTests
{
    private const int Flips = 512;

    [Fact]
    public async Task Verify_RandomBitFlipsAcrossSegmentsAndCheckpoints_EachFailsNamingTheLineItIsIn()
    {
        using var fixture = new AuditFixture(segmentMaxBytes: 64 * 1024);
        await fixture.WriteLogAsync(checkpoints: 4, perCheckpoint: 250, tail: 10);
        string[] files = [.. fixture.Segments(), fixture.CheckpointsPath];
        Assert.True(fixture.Segments().Length >= 2);
        Assert.True(fixture.Verify().IsValid);
        long[] sizes = [.. files.Select(f => new FileInfo(f).Length)];
        long total = sizes.Sum();
        var random = new Random(20261205);
        var passed = new List<string>();
        var misplaced = new List<string>();

        for (int i = 0; i < Flips; i++)
        {
            long bit = random.NextInt64(total * 8);
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
