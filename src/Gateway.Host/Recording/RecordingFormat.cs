using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Gateway.Host.Recording;

/// <summary>
/// Constants of the <c>.pgrec.zst</c> format (docs/recording-format.md): a file is a sequence of independent zstd
/// frames, each holding whole records and ending with a chain-head record.
/// </summary>
internal static class RecordingFormat
{
    public const int Version = 1;
    public const string Extension = ".pgrec.zst";

    /// <summary>A record: kind (1 byte), body length (uint32, big-endian), body.</summary>
    public const int RecordHeaderLength = 5;

    public const byte Header = (byte)'H';
    public const byte Message = (byte)'M';
    public const byte Raw = (byte)'R';
    public const byte Malformed = (byte)'X';
    public const byte Truncated = (byte)'T';
    public const byte Seal = (byte)'S';
    public const byte ChainHead = (byte)'C';

    /// <summary>Message record flag: detector hits in the payload were replaced by labels.</summary>
    public const byte FlagRedacted = 1;

    /// <summary>Time (int64 µs), direction (1), flags (1), message type (1).</summary>
    public const int MessagePrefixLength = 11;

    /// <summary>Time (int64 µs), direction (1).</summary>
    public const int RawPrefixLength = 9;

    public const int ChainHeadBodyLength = 8 + HashLength;
    public const int HashLength = 32;

    /// <summary>PostgreSQL's own limit on a message's length field.</summary>
    public const int MaxMessageLength = 0x3FFF_FFFE;

    /// <summary>The reader refuses frames that claim more content than this (a corrupt size must not allocate gigabytes).</summary>
    public const long MaxFrameContent = MaxMessageLength + (1L << 20);

    public static ReadOnlySpan<byte> ZstdMagic => [0x28, 0xB5, 0x2F, 0xFD];

    /// <summary>
    /// Every data frame is followed by a zstd skippable frame (magic 0x184D2A5E, little-endian length 32) holding the
    /// SHA-256 of the data frame's compressed bytes: zstd ignores some reserved bits, so its own checksum, which covers
    /// the decompressed content, cannot catch every flipped bit of the file.
    /// </summary>
    public static ReadOnlySpan<byte> TrailerPrefix => [0x5E, 0x2A, 0x4D, 0x18, 0x20, 0x00, 0x00, 0x00];

    public const int TrailerLength = 8 + HashLength;

    public static ReadOnlySpan<byte> HeaderDomain => "gatewaycore-pgrec-v1-header\0"u8;

    public static ReadOnlySpan<byte> RecordDomain => "gatewaycore-pgrec-v1-record\0"u8;

    public static string KindName(byte kind) => kind switch
    {
        Header => "header",
        Message => "message",
        Raw => "raw",
        Malformed => "malformed",
        Truncated => "truncated",
        Seal => "seal",
        ChainHead => "chain-head",
        _ => "0x" + kind.ToString("x2", System.Globalization.CultureInfo.InvariantCulture),
    };
}

/// <summary>
/// The hash chain over a recording's records: h0 = SHA-256(HeaderDomain || header record), then for every further
/// record except chain heads, h_i = SHA-256(RecordDomain || h_{i-1} || record), where a record is its whole encoding
/// (kind, length, body).
/// </summary>
internal sealed class RecordChain : IDisposable
{
    private readonly IncrementalHash _sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private readonly byte[] _head = new byte[RecordingFormat.HashLength];
    private readonly byte[] _scratch = new byte[2048];

    /// <summary>Records chained after the header.</summary>
    public long Count { get; private set; }

    public ReadOnlySpan<byte> Head => _head;

    public void Start(ReadOnlySpan<byte> headerRecord)
    {
        _sha.AppendData(RecordingFormat.HeaderDomain);
        _sha.AppendData(headerRecord);
        _sha.GetHashAndReset(_head);
        Count = 0;
    }

    /// <summary>Continues a chain from a chain-head record's body (count and head).</summary>
    public void Restore(ReadOnlySpan<byte> chainHeadBody)
    {
        Count = BinaryPrimitives.ReadInt64BigEndian(chainHeadBody);
        chainHeadBody.Slice(8, RecordingFormat.HashLength).CopyTo(_head);
    }

    public void Append(ReadOnlySpan<byte> record)
    {
        ReadOnlySpan<byte> domain = RecordingFormat.RecordDomain;
        int length = domain.Length + RecordingFormat.HashLength + record.Length;
        if (length <= _scratch.Length)
        {
            // Small records (most DataRows): one native call instead of four.
            domain.CopyTo(_scratch);
            _head.CopyTo(_scratch, domain.Length);
            record.CopyTo(_scratch.AsSpan(domain.Length + RecordingFormat.HashLength));
            SHA256.HashData(_scratch.AsSpan(0, length), _head);
            Count++;
            return;
        }

        _sha.AppendData(domain);
        _sha.AppendData(_head);
        _sha.AppendData(record);
        _sha.GetHashAndReset(_head);
        Count++;
    }

    /// <summary>Whether a chain-head record's body names this chain's state.</summary>
    public bool Matches(ReadOnlySpan<byte> chainHeadBody)
        => chainHeadBody.Length == RecordingFormat.ChainHeadBodyLength
            && BinaryPrimitives.ReadInt64BigEndian(chainHeadBody) == Count
            && chainHeadBody.Slice(8).SequenceEqual(_head);

    public void Dispose() => _sha.Dispose();
}
