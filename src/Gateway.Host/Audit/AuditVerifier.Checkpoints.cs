namespace Gateway.Host.Audit;

/// <summary>The checkpoint pass: signatures and the checkpoint chain, then each checkpoint (local and witnessed) against the records.</summary>
internal sealed partial class AuditVerifier
{
    /// <summary>
    /// Reads a checkpoint file. Every line must be a checkpoint of this log signed with the trusted key. In the local
    /// file the checkpoints must also chain (a removed one is a gap) with times and seqs that never go backwards; a
    /// witness may have missed some, so only its lines' own validity is checked here.
    /// </summary>
    private List<VerifiedCheckpoint> ReadCheckpoints(string path, bool isWitness)
    {
        var valid = new List<VerifiedCheckpoint>();
        if (!File.Exists(path))
        {
            return valid;
        }

        string file = isWitness ? Path.GetFileName(path) + " (witness)" : AuditFiles.Checkpoints;
        byte[] bytes = File.ReadAllBytes(path);
        string previousHash = AuditRecordCodec.GenesisHash;
        AuditCheckpoint? previous = null;
        int position = 0;
        long lineNumber = 0;
        while (position < bytes.Length)
        {
            lineNumber++;
            int length = bytes.AsSpan(position).IndexOf((byte)'\n');
            if (length < 0)
            {
                ReadOnlySpan<byte> tail = bytes.AsSpan(position);
                if (AuditCheckpointCodec.TryParse(tail[..^1], out _, out _))
                {
                    AddCheckpointError(AuditFindingKind.CheckpointMalformed, file, lineNumber, position, null, "a complete checkpoint is followed by a byte that is not its newline");
                }
                else
                {
                    Warn(AuditFindingKind.TornTail, file, lineNumber, position, null, $"{tail.Length} bytes of a checkpoint that was being written when the gateway stopped");
                }

                break;
            }

            ReadOnlySpan<byte> line = bytes.AsSpan(position, length);
            if (!AuditCheckpointCodec.TryParse(line, out AuditCheckpoint? checkpoint, out string? error))
            {
                AddCheckpointError(AuditFindingKind.CheckpointMalformed, file, lineNumber, position, null, error!);
                previousHash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(line));
            }
            else
            {
                if (CheckCheckpoint(checkpoint!, line, file, lineNumber, position, isWitness, previous, previousHash))
                {
                    valid.Add(new VerifiedCheckpoint(checkpoint!, file, lineNumber, position));
                }

                previous = checkpoint;
                previousHash = checkpoint!.Hash;
            }

            position += length + 1;
        }

        return valid;
    }

    private bool CheckCheckpoint(AuditCheckpoint checkpoint, ReadOnlySpan<byte> line, string file, long lineNumber, long offset, bool isWitness, AuditCheckpoint? previous, string previousHash)
    {
        bool valid = true;
        if (checkpoint.LogId != _logId)
        {
            AddCheckpointError(AuditFindingKind.ForeignLogId, file, lineNumber, offset, checkpoint.Seq, $"the checkpoint is for log {checkpoint.LogId}, not {_logId}");
            valid = false;
        }
        else if (checkpoint.KeyId != _keyId)
        {
            AddCheckpointError(AuditFindingKind.KeyUnknown, file, lineNumber, offset, checkpoint.Seq, $"signed with key {checkpoint.KeyId}, which is not the trusted key {_keyId}");
            valid = false;
        }
        else if (!AuditCheckpointCodec.VerifySignature(_publicKey!, line))
        {
            AddCheckpointError(AuditFindingKind.BadSignature, file, lineNumber, offset, checkpoint.Seq, "the signature does not verify");
            valid = false;
        }

        if (isWitness)
        {
            return valid;
        }

        if (checkpoint.PrevCheckpoint != previousHash)
        {
            AddCheckpointError(AuditFindingKind.CheckpointGap, file, lineNumber, offset, checkpoint.Seq, previous is null
                ? "the first checkpoint present names a predecessor: earlier checkpoints were removed"
                : "the checkpoint does not follow the one before it: a checkpoint was removed or replaced");
        }

        if (previous is not null && checkpoint.Time < previous.Time)
        {
            AddCheckpointError(AuditFindingKind.CheckpointTimeBackwards, file, lineNumber, offset, checkpoint.Seq, $"dated {AuditRecordCodec.FormatTime(checkpoint.Time)}, before its predecessor's {AuditRecordCodec.FormatTime(previous.Time)}");
        }

        if (previous is not null && checkpoint.Seq < previous.Seq)
        {
            AddCheckpointError(AuditFindingKind.CheckpointSeqBackwards, file, lineNumber, offset, checkpoint.Seq, $"covers {checkpoint.Seq} records, fewer than its predecessor's {previous.Seq}");
        }

        return valid;
    }

    /// <summary>
    /// Holds every validly signed checkpoint against the records: one claiming more records than exist means the tail
    /// was cut; a head that differs means history was rewritten (for a witnessed checkpoint, even if the attacker
    /// re-signed the local ones). Returns the ranges each matching checkpoint proves.
    /// </summary>
    private List<AuditSeqRange> CompareCheckpoints(AuditChainScan chain, List<VerifiedCheckpoint> local, List<VerifiedCheckpoint> witnessed)
    {
        var provenThrough = new Dictionary<int, long>();
        long lastCheckpointed = 0;
        foreach (VerifiedCheckpoint entry in local)
        {
            if (Matches(chain, entry, AuditFindingKind.CheckpointHeadMismatch, provenThrough))
            {
                lastCheckpointed = Math.Max(lastCheckpointed, entry.Checkpoint.Seq);
            }
        }

        var localHashes = new HashSet<string>(local.Select(c => c.Checkpoint.Hash), StringComparer.Ordinal);
        foreach (VerifiedCheckpoint entry in witnessed)
        {
            Matches(chain, entry, AuditFindingKind.WitnessContradicted, provenThrough);
        }

        // After the contradictions, which say more: a rewrite re-signs (so replaces) every checkpoint it touches.
        foreach (VerifiedCheckpoint entry in witnessed)
        {
            if (!localHashes.Contains(entry.Checkpoint.Hash))
            {
                AddCheckpointError(AuditFindingKind.WitnessedCheckpointMissing, entry.File, entry.Line, entry.Offset, entry.Checkpoint.Seq, $"the witness holds a checkpoint at seq {entry.Checkpoint.Seq} that {AuditFiles.Checkpoints} does not");
            }
        }

        if (chain.LastSeq > lastCheckpointed)
        {
            Warn(AuditFindingKind.UncheckpointedTail, AuditFiles.Checkpoints, 0, 0, lastCheckpointed + 1, $"records {lastCheckpointed + 1} to {chain.LastSeq} chain correctly but no checkpoint covers them yet");
        }

        var verified = new List<AuditSeqRange>();
        foreach ((int run, long through) in provenThrough.OrderBy(pair => pair.Key))
        {
            verified.Add(new AuditSeqRange(chain.Runs[run].First, through));
        }

        return verified;
    }

    private bool Matches(AuditChainScan chain, VerifiedCheckpoint entry, AuditFindingKind mismatch, Dictionary<int, long> provenThrough)
    {
        AuditCheckpoint checkpoint = entry.Checkpoint;
        if (checkpoint.Seq == 0)
        {
            return true;
        }

        if (checkpoint.Seq > chain.LastSeq)
        {
            AddCheckpointError(AuditFindingKind.TailTruncated, entry.File, entry.Line, entry.Offset, chain.LastSeq + 1, $"the checkpoint covers {checkpoint.Seq} records but the log ends at seq {chain.LastSeq}: records {chain.LastSeq + 1} to {checkpoint.Seq} were removed");
            return false;
        }

        if (!chain.HashesAt.TryGetValue(checkpoint.Seq, out (string Hash, int Run) at) || at.Hash != checkpoint.Head)
        {
            AddCheckpointError(mismatch, entry.File, entry.Line, entry.Offset, checkpoint.Seq, $"the checkpoint's head does not match the chain at seq {checkpoint.Seq}: records up to it were altered or rewritten");
            return false;
        }

        if (at.Run >= 0)
        {
            provenThrough[at.Run] = Math.Max(provenThrough.GetValueOrDefault(at.Run), checkpoint.Seq);
        }

        return true;
    }
}
