using System.Buffers;
using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Gateway.Host.Recording;
using ZstdSharp;
using ZstdSharp.Unsafe;

namespace Gateway.Host.Tests.Recording;

/// <summary>
/// Files built here from docs/recording-format.md alone (not with the writer's code), so that the reader is held to
/// the documented chain and trailers: version 2 (a running SHA-256 per frame, trailers hashing the file so far) and
/// version 1 (a hash per record, trailers hashing their frame), which the reader and crash recovery still accept.
/// </summary>
public sealed class RecordingFormatSpecTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Verify_FileBuiltFromTheSpec_Sealed(int version)
    {
        RecordingVerification verdict = RecordingReader.Verify(Build(version, seal: true));

        Assert.Equal(RecordingStatus.Sealed, verdict.Status);
        Assert.Equal(4, verdict.Frames);
        Assert.Equal(version, verdict.Header!.FormatVersion);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Verify_RecordEditedAndFramesRebuilt_ChainCatchesIt(int version)
    {
        // Whoever edits a record can recompress its frame and recompute every trailer; only the chain heads,
        // computed over the original records, then disagree.
        RecordingVerification verdict = RecordingReader.Verify(Build(version, seal: true, tamper: true));

        Assert.Equal(RecordingStatus.Corrupt, verdict.Status);
        Assert.Equal(1, verdict.BadFrame);
        Assert.Contains("chain head", verdict.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void SealAbandoned_FileBuiltFromTheSpec_SealedInItsOwnVersion(int version)
    {
        string path = Path.Combine(Path.GetTempPath(), "pgrec-spec-" + Guid.NewGuid().ToString("N") + RecordingFormat.Extension);
        try
        {
            File.WriteAllBytes(path, Build(version, seal: false));
            Assert.Equal(RecordingStatus.Truncated, RecordingReader.Verify(path).Status);

            RecordingSeal? seal = RecordingRecovery.SealAbandoned(path);

            Assert.NotNull(seal);
            RecordingVerification after = RecordingReader.Verify(path);
            Assert.Equal(RecordingStatus.Sealed, after.Status);
            Assert.Equal(seal.ChainHead, after.ChainHead);
            Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path))), seal.FileSha256);
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>Frame 0: the header. Frame 1: three messages. Frame 2: two messages. Frame 3: the seal (when asked).</summary>
    private static byte[] Build(int version, bool seal, bool tamper = false)
    {
        var header = new RecordingHeader("spec", "g_spec", "agent", "shop", "read", "shop", new DateTimeOffset(2026, 12, 5, 10, 0, 0, TimeSpan.Zero))
        {
            FormatVersion = version,
        };
        var json = new ArrayBufferWriter<byte>();
        header.WriteJson(json);
        byte[] headerRecord = Record((byte)'H', json.WrittenSpan);

        List<List<byte[]>> frames =
        [
            [Message(0, 'Q', "SELECT 1\0"), Message(1, 'D', "\0\x01\0\0\0\x01" + "1"), Message(1, 'Z', "I")],
            [Message(0, 'Q', "SELECT 2\0"), Message(1, 'Z', "I")],
        ];
        if (seal)
        {
            frames.Add([Record((byte)'S', "{\"closeReason\":\"test\"}"u8)]);
        }

        byte[] head = SHA256.HashData([.. Encoding.ASCII.GetBytes($"gatewaycore-pgrec-v{version}-header\0"), .. headerRecord]);
        long count = 0;
        var file = new List<byte>();
        using var running = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        AppendFrame(file, running, version, [headerRecord, ChainHead(count, head)]);
        foreach (List<byte[]> records in frames)
        {
            byte[] start = head;
            var stream = new List<byte>();
            foreach (byte[] record in records)
            {
                count++;
                if (version == 1)
                {
                    head = SHA256.HashData([.. Encoding.ASCII.GetBytes("gatewaycore-pgrec-v1-record\0"), .. head, .. record]);
                }
                else
                {
                    stream.AddRange(record);
                    head = SHA256.HashData([.. Encoding.ASCII.GetBytes("gatewaycore-pgrec-v2-frame\0"), .. start, .. stream]);
                }
            }

            List<byte[]> written = [.. records, ChainHead(count, head)];
            if (tamper && ReferenceEquals(records, frames[0]))
            {
                written[1] = Message(1, 'D', "\0\x01\0\0\0\x01" + "2");
            }

            AppendFrame(file, running, version, written);
        }

        return [.. file];
    }

    private static void AppendFrame(List<byte> file, IncrementalHash running, int version, List<byte[]> records)
    {
        byte[] content = [.. records.SelectMany(r => r)];
        using var compressor = new Compressor(3);
        compressor.SetParameter(ZSTD_cParameter.ZSTD_c_checksumFlag, 1);
        byte[] frame = compressor.Wrap(content).ToArray();
        byte[] trailer = [0x5E, 0x2A, 0x4D, 0x18, 0x20, 0x00, 0x00, 0x00, .. new byte[32]];
        running.AppendData(frame);
        if (version == 1)
        {
            SHA256.HashData(frame, trailer.AsSpan(8));
        }
        else
        {
            running.GetCurrentHash(trailer.AsSpan(8));
        }

        running.AppendData(trailer);
        file.AddRange(frame);
        file.AddRange(trailer);
    }

    private static byte[] Message(byte side, char type, string payload)
    {
        byte[] body = [0, 0, 0, 0, 0, 0, 0, 42, side, 0, (byte)type, .. Encoding.Latin1.GetBytes(payload)];
        return Record((byte)'M', body);
    }

    private static byte[] ChainHead(long count, byte[] head)
    {
        byte[] body = new byte[40];
        BinaryPrimitives.WriteInt64BigEndian(body, count);
        head.CopyTo(body, 8);
        return Record((byte)'C', body);
    }

    private static byte[] Record(byte kind, ReadOnlySpan<byte> body)
    {
        byte[] record = new byte[5 + body.Length];
        record[0] = kind;
        BinaryPrimitives.WriteInt32BigEndian(record.AsSpan(1), body.Length);
        body.CopyTo(record.AsSpan(5));
        return record;
    }
}
