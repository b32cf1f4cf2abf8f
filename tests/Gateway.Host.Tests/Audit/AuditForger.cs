using System.Buffers;
using System.Text;
using Gateway.Host.Audit;

namespace Gateway.Host.Tests.Audit;

/// <summary>
/// What an attacker holding the gateway's signing key can do: rewrite records from some seq on with a consistent chain,
/// and re-sign every checkpoint over the rewritten chain. Only an earlier checkpoint held outside the gateway shows it.
/// </summary>
internal static class AuditForger
{
    /// <summary>Re-encodes every record (after <paramref name="alter"/> has had its way) so the chain is consistent again.</summary>
    public static void RewriteChain(string logDirectory, Func<AuditRecord, AuditRecord> alter)
    {
        byte[] logId = Convert.FromHexString(LogId(logDirectory));
        string prev = AuditRecordCodec.GenesisHash;
        var output = new ArrayBufferWriter<byte>();
        var scratch = new ArrayBufferWriter<byte>();
        foreach ((_, string path) in AuditFiles.ListSegments(logDirectory))
        {
            output.ResetWrittenCount();
            foreach (AuditRecord original in AuditFixture.ReadRecords(path))
            {
                AuditRecord record = alter(original);
                var e = new AuditEvent(record.Type, record.Data.DeepClone().AsObject()) { Agent = record.Agent, Grant = record.Grant, Session = record.Session, Target = record.Target };
                prev = AuditRecordCodec.Encode(output, scratch, logId, record.Seq, record.Time, prev, e).Hash;
            }

            File.WriteAllBytes(path, output.WrittenSpan.ToArray());
        }
    }

    /// <summary>Signs every checkpoint again over the chain as it now is, keeping seqs and times unless <paramref name="retime"/> says otherwise.</summary>
    public static void ResignCheckpoints(string logDirectory, Func<int, DateTimeOffset, DateTimeOffset>? retime = null)
    {
        string logId = LogId(logDirectory);
        Dictionary<long, string> heads = AuditFiles.ListSegments(logDirectory).SelectMany(s => AuditFixture.ReadRecords(s.Path)).ToDictionary(r => r.Seq, r => r.Hash);
        using AuditSigningKey key = AuditSigningKey.LoadOrCreate(Path.Combine(logDirectory, AuditFiles.SigningKey), mayCreate: false);
        string checkpointsPath = Path.Combine(logDirectory, AuditFiles.Checkpoints);
        string prev = AuditRecordCodec.GenesisHash;
        var lines = new List<string>();
        int index = 0;
        foreach (string line in AuditFixture.ReadLines(checkpointsPath))
        {
            Assert.True(AuditCheckpointCodec.TryParse(Encoding.ASCII.GetBytes(line), out AuditCheckpoint? old, out _));
            DateTimeOffset time = retime?.Invoke(index++, old!.Time) ?? old!.Time;
            (AuditCheckpoint signed, byte[] bytes) = AuditCheckpointCodec.Encode(key, logId, old.Seq, heads[old.Seq], time, prev);
            prev = signed.Hash;
            lines.Add(Encoding.ASCII.GetString(bytes));
        }

        AuditFixture.WriteLines(checkpointsPath, lines);
    }

    public static string LogId(string logDirectory)
        => System.Text.Json.JsonSerializer.Deserialize(File.ReadAllBytes(Path.Combine(logDirectory, AuditFiles.Manifest)), AuditJsonContext.Default.AuditManifest)!.LogId;
}
