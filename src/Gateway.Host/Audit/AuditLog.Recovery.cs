using System.Security.Cryptography;
using System.Text.Json;

namespace Gateway.Host.Audit;

/// <summary>Opening: the manifest and key, and the tail left by the previous run.</summary>
internal sealed partial class AuditLog
{
    private static (AuditManifest Manifest, AuditSigningKey Key) LoadOrCreateManifest(string directory, DateTimeOffset now)
    {
        string manifestPath = Path.Combine(directory, AuditFiles.Manifest);
        string keyPath = Path.Combine(directory, AuditFiles.SigningKey);
        if (File.Exists(manifestPath))
        {
            AuditManifest manifest = JsonSerializer.Deserialize(File.ReadAllBytes(manifestPath), AuditJsonContext.Default.AuditManifest)
                ?? throw new InvalidDataException($"{AuditFiles.Manifest} is empty");
            if (manifest.Format != AuditManifest.CurrentFormat || !AuditRecordCodec.IsLowerHex(manifest.LogId, 32))
            {
                throw new InvalidDataException($"{AuditFiles.Manifest} is not a {AuditManifest.CurrentFormat} manifest");
            }

            AuditSigningKey key = AuditSigningKey.LoadOrCreate(keyPath, mayCreate: false);
            if (key.KeyId != manifest.KeyId)
            {
                key.Dispose();
                throw new InvalidDataException($"{AuditFiles.SigningKey} is not the key named in {AuditFiles.Manifest}");
            }

            return (manifest, key);
        }

        if (AuditFiles.ListSegments(directory).Count > 0)
        {
            throw new InvalidDataException($"the audit directory has segments but no {AuditFiles.Manifest}; the log cannot be continued");
        }

        AuditSigningKey created = AuditSigningKey.LoadOrCreate(keyPath, mayCreate: true);
        var newManifest = new AuditManifest
        {
            Format = AuditManifest.CurrentFormat,
            LogId = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)),
            KeyId = created.KeyId,
            PublicKey = created.PublicKeyPem,
            Created = AuditRecordCodec.TruncateToMilliseconds(now),
        };
        WriteDurably(Path.Combine(directory, AuditFiles.PublicKey), System.Text.Encoding.ASCII.GetBytes(created.PublicKeyPem));
        WriteDurably(manifestPath, JsonSerializer.SerializeToUtf8Bytes(newManifest, AuditJsonContext.Default.AuditManifest));
        return (newManifest, created);
    }

    /// <summary>Writes a whole file under a temporary name, fsyncs it, then renames it into place.</summary>
    private static void WriteDurably(string path, byte[] content)
    {
        string temporary = path + ".tmp";
        using (var file = new FileStream(temporary, FileMode.Create, FileAccess.Write))
        {
            file.Write(content);
            file.Flush(flushToDisk: true);
        }

        File.Move(temporary, path, overwrite: true);
        AuditDirectorySync.Sync(Path.GetDirectoryName(Path.GetFullPath(path))!);
    }

    /// <summary>
    /// Finds the last whole record (checking its hash, so the chain never continues from a forged line), moves any torn
    /// bytes after it to a quarantine file, and does the same for <c>checkpoints.log</c>.
    /// </summary>
    private static AuditTail RecoverTail(AuditLogOptions options, string logId, DateTimeOffset now)
    {
        byte[] logIdBytes = Convert.FromHexString(logId);
        List<(int Number, string Path)> segments = AuditFiles.ListSegments(options.Directory);
        int segmentNumber = segments.Count == 0 ? 1 : segments[^1].Number;
        long segmentLength = 0;
        AuditRecord? last = null;
        string? quarantineFile = null;
        long quarantinedBytes = 0;
        for (int i = segments.Count - 1; i >= 0 && last is null; i--)
        {
            (long lineStart, long wholeLength) = AuditFiles.FindLastLine(segments[i].Path);
            if (wholeLength > 0)
            {
                byte[] line = AuditFiles.ReadRange(segments[i].Path, lineStart, wholeLength - 1);
                last = ParseTrustedTail(line, logIdBytes, segments[i].Path);
            }

            if (i == segments.Count - 1)
            {
                segmentLength = wholeLength;
            }
            else if (new FileInfo(segments[i].Path).Length != wholeLength)
            {
                throw new InvalidDataException($"{Path.GetFileName(segments[i].Path)} ends in a torn record but is not the newest segment; run gateway audit verify");
            }
        }

        if (segments.Count > 0)
        {
            (quarantineFile, quarantinedBytes) = AuditFiles.Quarantine(options.OpenWrite, segments[^1].Path, segmentLength, $"{(last?.Seq ?? 0) + 1}", now);
        }

        string checkpointsPath = Path.Combine(options.Directory, AuditFiles.Checkpoints);
        long checkpointsLength = 0;
        AuditCheckpoint? lastCheckpoint = null;
        if (File.Exists(checkpointsPath))
        {
            (long lineStart, checkpointsLength) = AuditFiles.FindLastLine(checkpointsPath);
            (string? checkpointQuarantine, long checkpointQuarantined) = AuditFiles.Quarantine(options.OpenWrite, checkpointsPath, checkpointsLength, "checkpoint", now);
            quarantineFile ??= checkpointQuarantine;
            quarantinedBytes += checkpointQuarantined;
            if (checkpointsLength > 0
                && !AuditCheckpointCodec.TryParse(AuditFiles.ReadRange(checkpointsPath, lineStart, checkpointsLength - 1), out lastCheckpoint, out string? error))
            {
                throw new InvalidDataException($"the last line of {AuditFiles.Checkpoints} is not a checkpoint ({error}); run gateway audit verify");
            }
        }

        return new AuditTail
        {
            SegmentNumber = segmentNumber,
            SegmentLength = segmentLength,
            LastSeq = last?.Seq ?? 0,
            LastHash = last?.Hash ?? AuditRecordCodec.GenesisHash,
            LastType = last?.Type,
            QuarantineFile = quarantineFile,
            QuarantinedBytes = quarantinedBytes,
            CheckpointsLength = checkpointsLength,
            LastCheckpointHash = lastCheckpoint?.Hash ?? AuditRecordCodec.GenesisHash,
            LastCheckpointTime = lastCheckpoint?.Time ?? DateTimeOffset.MinValue,
        };
    }

    private static AuditRecord ParseTrustedTail(byte[] line, byte[] logIdBytes, string path)
    {
        if (!AuditRecordCodec.TryParse(line, includeData: false, out AuditRecord? record, out string? error))
        {
            throw new InvalidDataException($"the last record of {Path.GetFileName(path)} is malformed ({error}); run gateway audit verify");
        }

        if (AuditRecordCodec.ComputeHash(logIdBytes, record!.Seq, record.Prev, AuditRecordCodec.BodyWithoutBrace(line)) != record.Hash)
        {
            throw new InvalidDataException($"the last record of {Path.GetFileName(path)} (seq {record.Seq}) does not match its hash; run gateway audit verify");
        }

        return record;
    }
}
