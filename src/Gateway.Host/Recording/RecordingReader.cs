using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using ZstdSharp;
using ZstdSharp.Unsafe;

namespace Gateway.Host.Recording;

/// <summary>
/// Reads recordings frame by frame. Each frame is checked whole (zstd structure and content checksum, record
/// layout, the hash chain against the frame's chain head) before any of its records is handed out. It never loops
/// and never throws on a damaged file: every step consumes bytes or stops with a verdict.
/// </summary>
internal static class RecordingReader
{
    /// <summary>Checks a whole file.</summary>
    public static RecordingVerification Verify(string path)
    {
        byte[] file = File.ReadAllBytes(path);
        return Verify(file);
    }

    /// <summary>Checks a whole recording held in memory.</summary>
    public static RecordingVerification Verify(byte[] file)
    {
        RecordingVerification? verdict = null;
        foreach (FrameResult frame in ReadFrames(file))
        {
            verdict = frame.Verdict;
        }

        return verdict!;
    }

    /// <summary>The records of every frame that verifies, in order; stops at the first frame that does not.</summary>
    public static IEnumerable<RecordingRecord> ReadRecords(string path) => ReadRecords(File.ReadAllBytes(path));

    public static IEnumerable<RecordingRecord> ReadRecords(byte[] file)
    {
        foreach (FrameResult frame in ReadFrames(file))
        {
            foreach (RecordingRecord record in frame.Records)
            {
                yield return record;
            }
        }
    }

    /// <summary>The records of the verified frames and the verdict, in one pass.</summary>
    public static (List<RecordingRecord> Records, RecordingVerification Verdict) Read(string path)
    {
        var records = new List<RecordingRecord>();
        RecordingVerification? verdict = null;
        foreach (FrameResult frame in ReadFrames(File.ReadAllBytes(path)))
        {
            records.AddRange(frame.Records);
            verdict = frame.Verdict;
        }

        return (records, verdict!);
    }

    private readonly record struct FrameResult(List<RecordingRecord> Records, RecordingVerification? Verdict);

    /// <summary>Yields each verified frame's records; the last item carries the verdict (and no records of a bad frame).</summary>
    private static IEnumerable<FrameResult> ReadFrames(byte[] file)
    {
        var state = new ScanState();
        using var chain = new RecordChain();
        using var decompressor = new Decompressor();
        using var prefix = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        long hashed = 0;
        long offset = 0;
        int frame = 0;
        while (true)
        {
            if (offset == file.Length)
            {
                yield return new FrameResult([], state.Verdict(frame == 0 ? RecordingStatus.Truncated : state.Sealed ? RecordingStatus.Sealed : RecordingStatus.Truncated,
                    frame, offset, frame == 0 ? 0 : null, null, frame == 0 ? 0 : null, frame == 0 ? "empty file" : state.Sealed ? null : "no seal: the recording was not completed", chain));
                yield break;
            }

            if (state.Sealed)
            {
                yield return new FrameResult([], state.Verdict(RecordingStatus.Corrupt, frame, offset, frame, null, offset, "data after the seal", chain));
                yield break;
            }

            string? problem = FrameLength(file.AsSpan((int)offset), out long length, out bool incomplete);
            if (problem is not null)
            {
                // An incomplete frame at the very end is the crash case, unless a whole frame follows it (then the
                // frame's length was damaged, not cut short).
                RecordingStatus status = incomplete && !WholeFrameFollows(file, offset) ? RecordingStatus.Truncated : RecordingStatus.Corrupt;
                yield return new FrameResult([], state.Verdict(status, frame, offset, frame, null, offset, problem, chain));
                yield break;
            }

            ReadOnlySpan<byte> compressed = file.AsSpan((int)offset, (int)length);
            ulong contentSize = Decompressor.GetDecompressedSize(compressed);
            byte[] content;
            string? error = null;
            if (contentSize > (ulong)RecordingFormat.MaxFrameContent)
            {
                content = [];
                error = "the frame declares no content size or an impossible one";
            }
            else
            {
                content = new byte[(int)contentSize];
                try
                {
                    int written = decompressor.Unwrap(compressed, content);
                    if (written != content.Length)
                    {
                        error = "the frame's content is shorter than declared";
                    }
                }
                catch (ZstdException exception)
                {
                    error = "zstd: " + exception.Code;
                }
            }

            if (error is not null)
            {
                yield return new FrameResult([], state.Verdict(RecordingStatus.Corrupt, frame, offset, frame, null, offset, error, chain));
                yield break;
            }

            var records = new List<RecordingRecord>();
            long? badRecord = ParseFrame(content, frame, state, chain, records, out string? recordProblem);
            if (recordProblem is not null)
            {
                yield return new FrameResult([], state.Verdict(RecordingStatus.Corrupt, frame, offset, frame, badRecord, offset, recordProblem, chain));
                yield break;
            }

            string? trailerProblem = CheckTrailer(file, offset, length, state.Header?.FormatVersion ?? RecordingFormat.Version, prefix, ref hashed, out bool trailerIncomplete);
            if (trailerProblem is not null)
            {
                RecordingStatus status = trailerIncomplete ? RecordingStatus.Truncated : RecordingStatus.Corrupt;
                yield return new FrameResult([], state.Verdict(status, frame, offset, frame, null, offset, trailerProblem, chain));
                yield break;
            }

            state.Records += records.Count;
            offset += length + RecordingFormat.TrailerLength;
            frame++;
            yield return new FrameResult(records, null);
        }
    }

    /// <summary>Checks one frame's records and chain; returns the index of the first bad record, if any.</summary>
    private static long? ParseFrame(byte[] content, int frame, ScanState state, RecordChain chain, List<RecordingRecord> records, out string? problem)
    {
        problem = null;
        int position = 0;
        bool sawChainHead = false;
        while (position < content.Length)
        {
            long index = state.Records + records.Count;
            if (sawChainHead)
            {
                problem = "records after the frame's chain head";
                return index;
            }

            if (content.Length - position < RecordingFormat.RecordHeaderLength)
            {
                problem = "a record header is cut short";
                return index;
            }

            byte kind = content[position];
            uint length = BinaryPrimitives.ReadUInt32BigEndian(content.AsSpan(position + 1));
            if (length > (uint)(content.Length - position - RecordingFormat.RecordHeaderLength))
            {
                problem = "a record runs past the end of its frame";
                return index;
            }

            int total = RecordingFormat.RecordHeaderLength + (int)length;
            ReadOnlySpan<byte> encoded = content.AsSpan(position, total);
            var record = new RecordingRecord(kind, frame, index, content.AsMemory(position + RecordingFormat.RecordHeaderLength, (int)length));
            bool first = frame == 0 && records.Count == 0;
            if (first != (kind == RecordingFormat.Header))
            {
                problem = first ? "the recording does not start with a header" : "a second header";
                return index;
            }

            switch (kind)
            {
                case RecordingFormat.Header:
                    state.Header = RecordingHeader.TryParse(record.Body.Span);
                    if (state.Header is null)
                    {
                        problem = "the header does not parse";
                        return index;
                    }

                    if (state.Header.FormatVersion is < 1 or > RecordingFormat.Version)
                    {
                        problem = "unsupported format version " + state.Header.FormatVersion.ToString(System.Globalization.CultureInfo.InvariantCulture);
                        return index;
                    }

                    chain.Start(encoded, state.Header.FormatVersion);
                    break;
                case RecordingFormat.ChainHead:
                    if (!chain.Matches(record.Body.Span))
                    {
                        problem = "the chain head does not match the records";
                        return index;
                    }

                    chain.EndFrame();
                    sawChainHead = true;
                    break;
                case RecordingFormat.Message or RecordingFormat.Raw or RecordingFormat.Malformed or RecordingFormat.Truncated or RecordingFormat.Seal:
                    if (state.SealSeen)
                    {
                        problem = "records after the seal";
                        return index;
                    }

                    if (kind == RecordingFormat.Seal)
                    {
                        state.SealSeen = true;
                        state.SealJson = Encoding.UTF8.GetString(record.Body.Span);
                    }

                    chain.Append(encoded);
                    break;
                default:
                    problem = "unknown record kind " + RecordingFormat.KindName(kind);
                    return index;
            }

            records.Add(record);
            position += total;
        }

        if (!sawChainHead)
        {
            problem = "the frame has no chain head";
            return state.Records + records.Count;
        }

        state.Sealed = state.SealSeen;
        return null;
    }

    /// <summary>
    /// Checks the skippable frame after a data frame: its fixed prefix and the SHA-256 of the file from its start to
    /// the end of the data frame (version 1: of the data frame's bytes alone). <paramref name="prefix"/> holds the hash
    /// of the file's first <paramref name="hashed"/> bytes, carried from frame to frame.
    /// </summary>
    private static string? CheckTrailer(byte[] file, long offset, long length, int version, IncrementalHash prefix, ref long hashed, out bool incomplete)
    {
        incomplete = false;
        Span<byte> expected = stackalloc byte[RecordingFormat.TrailerLength];
        RecordingFormat.TrailerPrefix.CopyTo(expected);
        if (version == 1)
        {
            SHA256.HashData(file.AsSpan((int)offset, (int)length), expected.Slice(RecordingFormat.TrailerPrefix.Length));
        }
        else
        {
            long end = offset + length;
            prefix.AppendData(file, (int)hashed, (int)(end - hashed));
            hashed = end;
            prefix.GetCurrentHash(expected.Slice(RecordingFormat.TrailerPrefix.Length));
        }

        ReadOnlySpan<byte> actual = file.AsSpan((int)(offset + length));
        if (actual.Length < expected.Length)
        {
            incomplete = expected.StartsWith(actual);
            return incomplete ? "an incomplete frame trailer at the end" : "the frame's trailer is damaged";
        }

        return actual.StartsWith(expected) ? null : "the frame's bytes do not match their trailer";
    }

    /// <summary>The compressed length of the zstd frame at the start of <paramref name="data"/>, or why there is none.</summary>
    private static unsafe string? FrameLength(ReadOnlySpan<byte> data, out long length, out bool incomplete)
    {
        length = 0;
        incomplete = false;
        ReadOnlySpan<byte> magic = RecordingFormat.ZstdMagic;
        if (data.Length < magic.Length)
        {
            incomplete = magic.StartsWith(data);
            return incomplete ? "an incomplete frame at the end" : "not a zstd frame";
        }

        if (!data.StartsWith(magic))
        {
            return "not a zstd frame";
        }

        nuint size;
        fixed (byte* pointer = data)
        {
            size = Methods.ZSTD_findFrameCompressedSize(pointer, (nuint)data.Length);
        }

        if (Methods.ZSTD_isError(size))
        {
            ZSTD_ErrorCode code = Methods.ZSTD_getErrorCode(size);
            incomplete = code == ZSTD_ErrorCode.ZSTD_error_srcSize_wrong;
            return incomplete ? "an incomplete frame at the end" : "zstd: " + code;
        }

        length = (long)size;
        return null;
    }

    /// <summary>Whether a whole zstd frame with a valid checksum starts anywhere after <paramref name="offset"/>.</summary>
    private static bool WholeFrameFollows(byte[] file, long offset)
    {
        ReadOnlySpan<byte> magic = RecordingFormat.ZstdMagic;
        int from = (int)offset + 1;
        using var decompressor = new Decompressor();
        while (from < file.Length)
        {
            int found = file.AsSpan(from).IndexOf(magic);
            if (found < 0)
            {
                return false;
            }

            int at = from + found;
            if (FrameLength(file.AsSpan(at), out long length, out _) is null)
            {
                ReadOnlySpan<byte> candidate = file.AsSpan(at, (int)length);
                ulong size = Decompressor.GetDecompressedSize(candidate);
                if (size <= (ulong)RecordingFormat.MaxFrameContent)
                {
                    try
                    {
                        decompressor.Unwrap(candidate, new byte[(int)size]);
                        return true;
                    }
                    catch (ZstdException)
                    {
                        // Not a real frame; keep looking.
                    }
                }
            }

            from = at + 1;
        }

        return false;
    }

    private sealed class ScanState
    {
        public long Records;
        public bool SealSeen;
        public bool Sealed;
        public RecordingHeader? Header;
        public string? SealJson;

        public RecordingVerification Verdict(RecordingStatus status, int frames, long validBytes, int? badFrame, long? badRecord, long? badOffset, string? detail, RecordChain chain)
            => new(status, frames, Records, validBytes, badFrame, badRecord, badOffset, detail)
            {
                Header = Header,
                SealJson = status == RecordingStatus.Sealed ? SealJson : null,
                ChainHead = frames > 0 ? Convert.ToHexStringLower(chain.Head) : null,
            };
    }
}
