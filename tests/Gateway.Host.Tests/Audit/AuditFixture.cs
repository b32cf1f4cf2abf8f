using System.Text;
using System.Text.Json.Nodes;
using Gateway.Host.Audit;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.Host.Tests.Audit;

/// <summary>
/// A log directory and a witness file in a fresh temp directory, a fake clock that drives checkpoints and probes, and
/// the file surgery the tamper tests perform.
/// </summary>
internal sealed class AuditFixture : IDisposable
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(60);
    private static readonly DateTimeOffset Start = new(2026, 12, 5, 9, 0, 0, TimeSpan.Zero);

    public AuditFixture(long segmentMaxBytes = AuditLogOptions.DefaultSegmentMaxBytes, Func<string, Stream>? openWrite = null)
    {
        Root = Directory.CreateTempSubdirectory("gateway-audit-").FullName;
        Directory.CreateDirectory(Path.Combine(Root, "witness"));
        Options = new AuditLogOptions
        {
            Directory = Path.Combine(Root, "log"),
            SegmentMaxBytes = segmentMaxBytes,
            CheckpointInterval = Interval,
            ProbeInterval = TimeSpan.FromSeconds(1),
            WitnessFile = Path.Combine(Root, "witness", "checkpoints.witness"),
            OpenWrite = openWrite ?? AuditFiles.OpenWrite,
        };
    }

    public string Root { get; }

    public AuditLogOptions Options { get; set; }

    public FakeTimeProvider Time { get; } = new(Start);

    public string LogDirectory => Options.Directory;

    public string WitnessFile => Options.WitnessFile!;

    public string CheckpointsPath => Path.Combine(LogDirectory, AuditFiles.Checkpoints);

    public AuditVerifyOptions WithWitness => new() { WitnessFile = WitnessFile };

    public Task<AuditLog> OpenAsync() => AuditLog.OpenAsync(Options, Time, NullLogger.Instance, CancellationToken.None);

    public AuditVerification Verify(AuditVerifyOptions? options = null) => AuditVerifier.Verify(LogDirectory, options ?? WithWitness);

    public static AuditEvent Statement(int i) => new("statement.executed", new JsonObject { ["sql"] = $"SELECT * FROM orders WHERE id = {i}", ["rows"] = i % 7 })
    {
        Agent = "agent-1",
        Grant = "g_0001",
        Session = $"s{i / 10}",
        Target = "shop",
    };

    /// <summary>Moves the fake clock one checkpoint interval and waits until the checkpoint is written.</summary>
    public async Task CheckpointAsync(AuditLog log)
    {
        Time.Advance(Interval);
        await log.WhenWrittenAsync();
    }

    /// <summary>
    /// Writes a closed log: gateway.start, then <paramref name="perCheckpoint"/> records before each of
    /// <paramref name="checkpoints"/> timed checkpoints, then <paramref name="tail"/> more, gateway.stop and the final checkpoint.
    /// </summary>
    public async Task WriteLogAsync(int checkpoints, int perCheckpoint, int tail)
    {
        await using AuditLog log = await OpenAsync();
        int n = 0;
        for (int c = 0; c < checkpoints; c++)
        {
            await AppendManyAsync(log, n, perCheckpoint);
            n += perCheckpoint;
            await CheckpointAsync(log);
        }

        await AppendManyAsync(log, n, tail);
    }

    public static async Task AppendManyAsync(AuditLog log, int first, int count)
    {
        var pending = new List<Task<AuditRecord>>(count);
        for (int i = first; i < first + count; i++)
        {
            pending.Add(log.AppendAsync(Statement(i), CancellationToken.None).AsTask());
        }

        await Task.WhenAll(pending);
    }

    public string[] Segments() => [.. AuditFiles.ListSegments(LogDirectory).Select(s => s.Path)];

    public string Segment(int number) => Path.Combine(LogDirectory, AuditFiles.SegmentName(number));

    /// <summary>Lines without their newlines.</summary>
    public static List<string> ReadLines(string path) => [.. File.ReadAllText(path, Encoding.ASCII).Split('\n')[..^1]];

    public static void WriteLines(string path, IEnumerable<string> lines) => File.WriteAllText(path, string.Concat(lines.Select(l => l + "\n")), Encoding.ASCII);

    public static List<AuditRecord> ReadRecords(string path)
        => [.. ReadLines(path).Select(line => AuditRecordCodec.TryParse(Encoding.ASCII.GetBytes(line), includeData: true, out AuditRecord? r, out string? error) ? r! : throw new InvalidDataException(error))];

    public List<AuditRecord> ReadAllRecords() => [.. Segments().SelectMany(ReadRecords)];

    /// <summary>Copies a log directory as a crash or backup would see it; the lock of a running log is not state.</summary>
    public static void CopyDirectory(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (string file in Directory.EnumerateFiles(from).Where(f => Path.GetFileName(f) != AuditFiles.Lock))
        {
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        }
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp directory is harmless.
        }
    }
}
