using System.Text;
using Gateway.Host.Configuration;

namespace Gateway.Host.Audit;

/// <summary>
/// One read of the audit log for a review: the verifier's verdict and every record, found by session and by grant.
/// The reviewer's answers are built from these records, never from the index alone, so that an edited index cannot
/// change what a review says.
/// </summary>
internal sealed class AuditChain
{
    private AuditChain(AuditVerification verification, List<(AuditRecord Record, string Line)> records)
    {
        Verification = verification;
        Records = records;
        foreach ((AuditRecord record, string _) in records)
        {
            if (record.Session is { } session)
            {
                Add(BySession, session, record);
            }

            if (record.Grant is { } grant)
            {
                Add(ByGrant, grant, record);
            }
        }
    }

    public AuditVerification Verification { get; }

    /// <summary>Every record that parses, in file order, with its line as written.</summary>
    public IReadOnlyList<(AuditRecord Record, string Line)> Records { get; }

    public Dictionary<string, List<AuditRecord>> BySession { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, List<AuditRecord>> ByGrant { get; } = new(StringComparer.Ordinal);

    /// <summary>Verifies and reads the log in <paramref name="audit"/>'s directory, against its witness when one is configured.</summary>
    public static AuditChain Read(LoadedAudit audit)
    {
        // The witness keeps the public key beside its checkpoints: a key trusted from outside the log's directory.
        string? witnessKey = audit.WitnessFile is { } witness && File.Exists(witness + ".pub.pem") ? File.ReadAllText(witness + ".pub.pem") : null;
        AuditVerification verification = AuditVerifier.Verify(
            audit.Directory, new AuditVerifyOptions { WitnessFile = audit.WitnessFile, ExpectedPublicKeyPem = witnessKey });
        return new AuditChain(verification, [.. ReadRecords(audit.Directory)]);
    }

    /// <summary>Every record of the log in <paramref name="directory"/> that parses, in file order, without verifying anything.</summary>
    public static IEnumerable<(AuditRecord Record, string Line)> ReadRecords(string directory)
    {
        if (!Directory.Exists(directory))
        {
            yield break;
        }

        foreach ((int _, string path) in AuditFiles.ListSegments(directory))
        {
            byte[] segment = File.ReadAllBytes(path);
            int start = 0;
            while (start < segment.Length)
            {
                int end = Array.IndexOf(segment, (byte)'\n', start);
                int stop = end < 0 ? segment.Length : end;
                if (AuditRecordCodec.TryParse(segment.AsSpan(start, stop - start), includeData: true, out AuditRecord? record, out _))
                {
                    yield return (record!, Encoding.UTF8.GetString(segment, start, stop - start));
                }

                start = stop + 1;
            }
        }
    }

    /// <summary>
    /// <c>verified</c> when a signed checkpoint covers every record; <c>chained…</c> when they chain correctly but
    /// were written after the latest checkpoint (the next one, at most a checkpoint interval later, covers them);
    /// otherwise the first error.
    /// </summary>
    public string StatusOf(IEnumerable<AuditRecord> records)
    {
        bool awaitingCheckpoint = false;
        foreach (AuditRecord record in records)
        {
            if (Verification.Covers(record.Seq))
            {
                continue;
            }

            if (!Verification.IsValid || record.Seq > Verification.LastSeq)
            {
                return "NOT VERIFIED: " + (Verification.FirstError?.ToString() ?? $"record {record.Seq} is outside the verified chain");
            }

            awaitingCheckpoint = true;
        }

        return awaitingCheckpoint ? "chained; awaiting its signed checkpoint" : "verified";
    }

    private static void Add(Dictionary<string, List<AuditRecord>> index, string key, AuditRecord record)
    {
        if (!index.TryGetValue(key, out List<AuditRecord>? list))
        {
            index[key] = list = [];
        }

        list.Add(record);
    }
}
