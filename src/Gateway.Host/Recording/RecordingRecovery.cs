using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text.Json;
using ZstdSharp;
using ZstdSharp.Unsafe;

namespace Gateway.Host.Recording;

/// <summary>What recovery did with one recording file.</summary>
/// <param name="Path">The recording.</param>
/// <param name="Before">Its verdict before recovery.</param>
/// <param name="Seal">The seal written, for a recording closed as crashed; null when left alone.</param>
/// <param name="Error">Why it could not be closed, when recovery failed.</param>
internal sealed record RecoveredRecording(string Path, RecordingVerification Before, RecordingSeal? Seal, string? Error);

/// <summary>
/// Closes recordings a crashed gateway left unsealed: the file is cut back to its last whole frame (an incomplete tail
/// is kept beside it as <c>&lt;file&gt;.partial</c>, never deleted) and a final frame is appended with a seal whose close
/// reason is <c>gateway crashed</c>, chained to the last verified record. Sealed recordings are left alone, and so are
/// corrupt ones (they are for quarantine and review, never rewritten).
/// </summary>
internal static class RecordingRecovery
{
    public const string CrashedReason = "gateway crashed";

    /// <summary>Seals one abandoned recording; returns null when the file is not <see cref="RecordingStatus.Truncated"/> or has no whole frame.</summary>
    public static RecordingSeal? SealAbandoned(string path, TimeProvider? time = null, int compressionLevel = 1)
    {
        (List<RecordingRecord> records, RecordingVerification verdict) = RecordingReader.Read(path);
        if (verdict.Status != RecordingStatus.Truncated || verdict.Frames == 0)
        {
            return null;
        }

        RecordingRecord lastHead = records.Last(r => r.Kind == RecordingFormat.ChainHead);
        using var chain = new RecordChain();
        int version = RecordingHeader.TryParse(records[0].Body.Span)?.FormatVersion ?? RecordingFormat.Version;
        chain.Restore(lastHead.Body.Span, version);
        var counts = new SortedDictionary<string, long>(StringComparer.Ordinal);
        long clientBytes = 0;
        long serverBytes = 0;
        foreach (RecordingRecord record in records.Where(r => r.Kind == RecordingFormat.Message))
        {
            string key = (record.Side == Core.Protocol.Postgres.PgSide.Frontend ? "F " : "B ") + (char)record.MessageType;
            counts[key] = counts.GetValueOrDefault(key) + 1;
            (record.Side == Core.Protocol.Postgres.PgSide.Frontend ? ref clientBytes : ref serverBytes) += record.Payload.Length + 5;
        }

        // The seal frame: a seal record and the chain head after it.
        var content = new PooledBuffer();
        try
        {
            content.Write([RecordingFormat.Seal, 0, 0, 0, 0]);
            using (var json = new Utf8JsonWriter(content))
            {
                json.WriteStartObject();
                json.WriteString("closeReason"u8, CrashedReason);
                json.WriteString("endedAt"u8, File.GetLastWriteTimeUtc(path));
                json.WriteString("recoveredAt"u8, (time ?? TimeProvider.System).GetUtcNow().UtcDateTime);
                json.WriteNumber("records"u8, chain.Count);
                json.WriteString("chainHead"u8, Convert.ToHexStringLower(chain.Head));
                json.WriteNumber("clientBytes"u8, clientBytes);
                json.WriteNumber("serverBytes"u8, serverBytes);
                json.WriteBoolean("truncated"u8, records.Any(r => r.Kind == RecordingFormat.Truncated));
                json.WriteNumber("discardedBytes"u8, new FileInfo(path).Length - verdict.ValidBytes);
                json.WriteStartObject("messages"u8);
                foreach ((string key, long count) in counts)
                {
                    json.WriteNumber(key, count);
                }

                json.WriteEndObject();
                json.WriteEndObject();
            }

            BinaryPrimitives.WriteInt32BigEndian(content.WrittenSpanMutable.Slice(1), content.Length - RecordingFormat.RecordHeaderLength);
            chain.Append(content.WrittenSpan);
            Span<byte> head = stackalloc byte[RecordingFormat.RecordHeaderLength + RecordingFormat.ChainHeadBodyLength];
            head[0] = RecordingFormat.ChainHead;
            BinaryPrimitives.WriteInt32BigEndian(head.Slice(1), RecordingFormat.ChainHeadBodyLength);
            BinaryPrimitives.WriteInt64BigEndian(head.Slice(5), chain.Count);
            chain.Head.CopyTo(head.Slice(13));
            content.Write(head);

            byte[] frame;
            using (var compressor = new Compressor(compressionLevel))
            {
                compressor.SetParameter(ZSTD_cParameter.ZSTD_c_checksumFlag, 1);
                frame = compressor.Wrap(content.WrittenSpan).ToArray();
            }

            byte[] trailer = new byte[RecordingFormat.TrailerLength];
            RecordingFormat.TrailerPrefix.CopyTo(trailer);
            if (version == 1)
            {
                SHA256.HashData(frame, trailer.AsSpan(RecordingFormat.TrailerPrefix.Length));
            }
            else
            {
                // The trailer hashes the file from its start: the verified frames kept, then this one.
                using var prefix = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
                using (var kept = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite))
                {
                    byte[] block = new byte[81920];
                    for (long left = verdict.ValidBytes; left > 0;)
                    {
                        int read = kept.Read(block, 0, (int)Math.Min(block.Length, left));
                        if (read == 0)
                        {
                            throw new IOException("the recording shrank while it was being sealed");
                        }

                        prefix.AppendData(block, 0, read);
                        left -= read;
                    }
                }

                prefix.AppendData(frame);
                prefix.GetHashAndReset(trailer.AsSpan(RecordingFormat.TrailerPrefix.Length));
            }

            using (var file = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.Read))
            {
                if (file.Length > verdict.ValidBytes)
                {
                    // Keep the incomplete tail for review; the recording itself ends at its last whole frame.
                    byte[] tail = new byte[file.Length - verdict.ValidBytes];
                    file.Position = verdict.ValidBytes;
                    file.ReadExactly(tail);
                    File.WriteAllBytes(path + ".partial", tail);
                    file.SetLength(verdict.ValidBytes);
                }

                file.Position = verdict.ValidBytes;
                file.Write(frame);
                file.Write(trailer);
                file.Flush(flushToDisk: true);
            }
        }
        finally
        {
            content.Dispose();
        }

        byte[] bytes = File.ReadAllBytes(path);
        return new RecordingSeal(path, chain.Count, Convert.ToHexStringLower(chain.Head), Convert.ToHexStringLower(SHA256.HashData(bytes)), bytes.Length,
            records.Any(r => r.Kind == RecordingFormat.Truncated), CrashedReason, null);
    }

    /// <summary>
    /// Runs <see cref="SealAbandoned"/> over every recording under <paramref name="directory"/> except those in
    /// <paramref name="skip"/> (recordings still being written). One pass, one attempt per file; a file that cannot be
    /// read or written is reported and left as it is.
    /// </summary>
    public static IReadOnlyList<RecoveredRecording> SealAllAbandoned(string directory, IReadOnlySet<string>? skip = null, TimeProvider? time = null)
    {
        var results = new List<RecoveredRecording>();
        if (!Directory.Exists(directory))
        {
            return results;
        }

        foreach (string path in Directory.EnumerateFiles(directory, "*" + RecordingFormat.Extension, SearchOption.AllDirectories))
        {
            if (skip?.Contains(path) == true)
            {
                continue;
            }

            try
            {
                RecordingVerification before = RecordingReader.Verify(path);
                RecordingSeal? seal = before.Status == RecordingStatus.Truncated ? SealAbandoned(path, time) : null;
                results.Add(new RecoveredRecording(path, before, seal, null));
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                results.Add(new RecoveredRecording(path, new RecordingVerification(RecordingStatus.Corrupt, 0, 0, 0, null, null, null, "unreadable"), null,
                    exception.GetType().Name));
            }
        }

        return results;
    }
}
