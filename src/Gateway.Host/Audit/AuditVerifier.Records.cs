namespace Gateway.Host.Audit;

/// <summary>The record pass: hashes, links and sequence across all segments.</summary>
internal sealed partial class AuditVerifier
{
    private AuditChainScan ScanRecords(HashSet<long> wanted)
    {
        var scan = new AuditChainScan(wanted);
        List<(int Number, string Path)> segments = AuditFiles.ListSegments(_directory);
        int expectedNumber = 1;
        for (int s = 0; s < segments.Count; s++)
        {
            (int number, string path) = segments[s];
            string file = Path.GetFileName(path);
            if (number != expectedNumber)
            {
                AddRecordError(AuditFindingKind.SegmentMissing, AuditFiles.SegmentName(expectedNumber), 0, 0, scan.ExpectedSeq, $"segments {AuditFiles.SegmentName(expectedNumber)} to {AuditFiles.SegmentName(number - 1)} are missing");
            }

            expectedNumber = number + 1;
            ScanSegment(scan, file, File.ReadAllBytes(path), isNewest: s == segments.Count - 1);
        }

        scan.CloseRun();
        return scan;
    }

    private void ScanSegment(AuditChainScan scan, string file, byte[] bytes, bool isNewest)
    {
        int position = 0;
        long lineNumber = 0;
        while (position < bytes.Length)
        {
            lineNumber++;
            int length = bytes.AsSpan(position).IndexOf((byte)'\n');
            if (length < 0)
            {
                CheckUnterminated(scan, file, bytes.AsSpan(position), lineNumber, position, isNewest);
                return;
            }

            CheckRecord(scan, file, bytes.AsSpan(position, length), lineNumber, position);
            position += length + 1;
        }
    }

    /// <summary>
    /// A last line without its newline is what a crash mid-write leaves (a warning; the gateway quarantines it when it
    /// next opens). But a complete record followed by a stray byte is an altered terminator, and anywhere but the end
    /// of the newest segment it is damage.
    /// </summary>
    private void CheckUnterminated(AuditChainScan scan, string file, ReadOnlySpan<byte> tail, long lineNumber, long offset, bool isNewest)
    {
        if (!isNewest)
        {
            AddRecordError(AuditFindingKind.TornRecord, file, lineNumber, offset, null, $"{tail.Length} bytes without a newline at the end of a segment that is not the newest");
            scan.Break();
        }
        else if (AuditRecordCodec.TryParse(tail[..^1], includeData: false, out _, out _))
        {
            AddRecordError(AuditFindingKind.RecordMalformed, file, lineNumber, offset, null, "a complete record is followed by a byte that is not its newline");
            scan.Break();
        }
        else
        {
            Warn(AuditFindingKind.TornTail, file, lineNumber, offset, null, $"{tail.Length} bytes of a record that was being written when the gateway stopped; the gateway quarantines them when it next opens the log");
        }
    }

    private void CheckRecord(AuditChainScan scan, string file, ReadOnlySpan<byte> line, long lineNumber, long offset)
    {
        scan.RecordCount++;
        if (!AuditRecordCodec.TryParse(line, includeData: false, out AuditRecord? record, out string? error))
        {
            AddRecordError(AuditFindingKind.RecordMalformed, file, lineNumber, offset, null, error!);
            scan.Break();
            return;
        }

        string hash = AuditRecordCodec.ComputeHash(_logIdBytes, record!.Seq, record.Prev, AuditRecordCodec.BodyWithoutBrace(line));
        bool selfConsistent = hash == record.Hash;
        bool linked = true;
        if (!selfConsistent)
        {
            AddRecordError(AuditFindingKind.HashMismatch, file, lineNumber, offset, record.Seq, "the record does not match its hash: it was altered, or it comes from another log (the log id is part of the hash)");
        }

        if (scan.Resynchronizing)
        {
            // The break was reported where it happened; this record just starts a new run.
            linked = false;
        }
        else if (record.Seq > scan.ExpectedSeq)
        {
            AddRecordError(AuditFindingKind.SequenceGap, file, lineNumber, offset, record.Seq, $"expected seq {scan.ExpectedSeq}: records {scan.ExpectedSeq} to {record.Seq - 1} are missing");
            linked = false;
        }
        else if (record.Seq < scan.ExpectedSeq)
        {
            AddRecordError(AuditFindingKind.SequenceDuplicate, file, lineNumber, offset, record.Seq, $"expected seq {scan.ExpectedSeq}: seq {record.Seq} is repeated or out of order");
            linked = false;
        }
        else if (record.Prev != scan.PrevHash)
        {
            // After an altered record its successor still names the hash it stated; that is the same tampering.
            if (!(scan.PreviousAltered && record.Prev == scan.PreviousStatedHash))
            {
                AddRecordError(AuditFindingKind.BrokenLink, file, lineNumber, offset, record.Seq, "prev does not match the hash of the record before it");
            }

            linked = false;
        }

        scan.Accept(record, hash, selfConsistent, linked);
        if (selfConsistent && record.Type == AuditEventTypes.UncleanShutdown)
        {
            Warn(AuditFindingKind.UncleanShutdown, file, lineNumber, offset, record.Seq, "the gateway did not shut down cleanly before this record");
        }
        else if (selfConsistent && record.Type == AuditEventTypes.Recovered)
        {
            Warn(AuditFindingKind.AuditOutage, file, lineNumber, offset, record.Seq, "the log could not write for a while before this record; audited actions were refused meanwhile");
        }
    }
}
