namespace Gateway.Host.Recording;

/// <summary>What a recording file holds, as far as it can be trusted.</summary>
internal enum RecordingStatus
{
    /// <summary>Every frame is whole, checksummed and chained, and the last holds the seal.</summary>
    Sealed,

    /// <summary>
    /// No seal, but every whole frame verifies: the writer stopped (a crash, a full disk) and the file is readable up
    /// to its last whole frame. An incomplete frame at the end is reported, never read.
    /// </summary>
    Truncated,

    /// <summary>A frame fails its zstd checksum or structure, a record or chain head does not verify, or bytes follow the seal.</summary>
    Corrupt,
}

/// <summary>The verdict on one recording, with where the first problem is.</summary>
/// <param name="Status">Sealed, truncated or corrupt.</param>
/// <param name="Frames">Whole frames that verified.</param>
/// <param name="Records">Records in those frames.</param>
/// <param name="ValidBytes">Bytes of the file those frames cover.</param>
/// <param name="BadFrame">For truncated and corrupt files, the index of the frame that is incomplete or bad.</param>
/// <param name="BadRecord">For a bad record or chain, its index in the file.</param>
/// <param name="BadOffset">The byte offset of the bad or incomplete frame.</param>
/// <param name="Detail">What is wrong, in words (never payload bytes).</param>
internal sealed record RecordingVerification(RecordingStatus Status, int Frames, long Records, long ValidBytes, int? BadFrame, long? BadRecord, long? BadOffset, string? Detail)
{
    /// <summary>The header, when the first frame verified.</summary>
    public RecordingHeader? Header { get; init; }

    /// <summary>The seal record's JSON, when sealed.</summary>
    public string? SealJson { get; init; }

    /// <summary>The chain head of the last verified frame (hex).</summary>
    public string? ChainHead { get; init; }
}
