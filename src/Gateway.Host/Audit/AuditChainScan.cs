namespace Gateway.Host.Audit;

/// <summary>
/// The verifier's running state over the records: what comes next, the runs of records that chain to each other, and
/// the computed hash at each seq a checkpoint names.
/// </summary>
internal sealed class AuditChainScan(HashSet<long>? wanted = null)
{
    private readonly HashSet<long> _wanted = wanted ?? [];
    private long? _runFirst;
    private long _runLast;

    public long ExpectedSeq { get; private set; } = 1;

    public string PrevHash { get; private set; } = AuditRecordCodec.GenesisHash;

    /// <summary>After an unreadable line the next record cannot be linked and starts a new run without a second error.</summary>
    public bool Resynchronizing { get; private set; }

    public bool PreviousAltered { get; private set; }

    public string PreviousStatedHash { get; private set; } = AuditRecordCodec.GenesisHash;

    public long RecordCount { get; set; }

    public long LastSeq { get; private set; }

    /// <summary>Runs of self-consistent records each linked to the one before; a run starting at 1 is anchored at the genesis hash.</summary>
    public List<AuditSeqRange> Runs { get; } = [];

    /// <summary>Seq to (computed hash, index in <see cref="Runs"/> or -1), for the seqs checkpoints name; the first record with a seq wins.</summary>
    public Dictionary<long, (string Hash, int Run)> HashesAt { get; } = [];

    public void Break()
    {
        CloseRun();
        Resynchronizing = true;
    }

    public void Accept(AuditRecord record, string computedHash, bool selfConsistent, bool linked)
    {
        if (!selfConsistent || !linked)
        {
            CloseRun();
        }

        if (selfConsistent)
        {
            _runFirst ??= record.Seq;
            _runLast = record.Seq;
        }

        if (_wanted.Contains(record.Seq) && !HashesAt.ContainsKey(record.Seq))
        {
            HashesAt[record.Seq] = (computedHash, selfConsistent ? Runs.Count : -1);
        }

        LastSeq = Math.Max(LastSeq, record.Seq);
        ExpectedSeq = record.Seq + 1;
        PrevHash = computedHash;
        PreviousAltered = !selfConsistent;
        PreviousStatedHash = record.Hash;
        Resynchronizing = false;
    }

    public void CloseRun()
    {
        if (_runFirst is { } first)
        {
            Runs.Add(new AuditSeqRange(first, _runLast));
            _runFirst = null;
        }
    }
}
