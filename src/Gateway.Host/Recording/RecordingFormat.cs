using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Gateway.Host.Recording;

/// <summary>
/// Constants of the <c>.pgrec.zst</c> format (docs/recording-format.md): a file is a sequence of independent zstd
/// frames, each holding whole records and ending with a chain-head record.
/// </summary>
internal static class RecordingFormat
{
    /// <summary>2: one running hash per frame (docs/recording-format.md §3). 1: a hash per record; still read.</summary>
    public const int Version = 2;
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

    public static ReadOnlySpan<byte> HeaderDomain => "gatewaycore-pgrec-v2-header\0"u8;

    public static ReadOnlySpan<byte> FrameDomain => "gatewaycore-pgrec-v2-frame\0"u8;

    public static ReadOnlySpan<byte> HeaderDomainV1 => "gatewaycore-pgrec-v1-header\0"u8;

    public static ReadOnlySpan<byte> RecordDomainV1 => "gatewaycore-pgrec-v1-record\0"u8;

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
/// The hash chain over a recording's records (docs/recording-format.md §3). The header starts it:
/// h0 = SHA-256(HeaderDomain || header record). Every frame then continues it with one running SHA-256 seeded with
/// the head the frame started from: value = SHA-256(FrameDomain || head at the frame's start || record || record ...)
/// over the whole encodings (kind, length, body) of the frame's records so far, chain heads excepted; a frame (or the
/// part of frame 0 after its header) with no record yet keeps the head it started from. The value is materialised only
/// where it is written or checked: the chain-head record at the end of each frame and the seal. Version 1 files
/// chained every record separately (h_i = SHA-256(RecordDomainV1 || h_(i-1) || record)); the reader still checks them.
/// </summary>
internal sealed class RecordChain : IDisposable
{
    private readonly IncrementalHash _sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private readonly byte[] _head = new byte[RecordingFormat.HashLength];
    private bool _open;
    private bool _stale;
    private bool _perRecord;

    /// <summary>Records chained after the header.</summary>
    public long Count { get; private set; }

    /// <summary>The chain's value after the last record appended (computed here when records were appended since).</summary>
    public ReadOnlySpan<byte> Head
    {
        get
        {
            if (_stale)
            {
                _sha.GetCurrentHash(_head);
                _stale = false;
            }

            return _head;
        }
    }

    /// <summary>Starts the chain at the header record; <paramref name="version"/> is the header's format version.</summary>
    public void Start(ReadOnlySpan<byte> headerRecord, int version = RecordingFormat.Version)
    {
        ResetRunning();
        _perRecord = version == 1;
        _sha.AppendData(_perRecord ? RecordingFormat.HeaderDomainV1 : RecordingFormat.HeaderDomain);
        _sha.AppendData(headerRecord);
        _sha.GetHashAndReset(_head);
        Count = 0;
    }

    /// <summary>Continues a chain from a chain-head record's body (count and head): the start of a new frame.</summary>
    public void Restore(ReadOnlySpan<byte> chainHeadBody, int version = RecordingFormat.Version)
    {
        ResetRunning();
        _perRecord = version == 1;
        Count = BinaryPrimitives.ReadInt64BigEndian(chainHeadBody);
        chainHeadBody.Slice(8, RecordingFormat.HashLength).CopyTo(_head);
    }

    public void Append(ReadOnlySpan<byte> record)
    {
        if (_perRecord)
        {
            _sha.AppendData(RecordingFormat.RecordDomainV1);
            _sha.AppendData(_head);
            _sha.AppendData(record);
            _sha.GetHashAndReset(_head);
            Count++;
            return;
        }

        if (!_open)
        {
            _sha.AppendData(RecordingFormat.FrameDomain);
            _sha.AppendData(_head);
            _open = true;
        }

        _sha.AppendData(record);
        _stale = true;
        Count++;
    }

    /// <summary>Appends <paramref name="count"/> whole records laid end to end: one hash call for a frame's worth.</summary>
    public void AppendRecords(ReadOnlySpan<byte> records, long count)
    {
        if (_perRecord)
        {
            while (!records.IsEmpty)
            {
                int length = RecordingFormat.RecordHeaderLength + BinaryPrimitives.ReadInt32BigEndian(records.Slice(1));
                Append(records.Slice(0, length));
                records = records.Slice(length);
            }

            return;
        }

        if (count == 0)
        {
            return;
        }

        if (!_open)
        {
            _sha.AppendData(RecordingFormat.FrameDomain);
            _sha.AppendData(_head);
            _open = true;
        }

        _sha.AppendData(records);
        _stale = true;
        Count += count;
    }

    /// <summary>Ends the current frame after its chain-head record: the next record starts a new running hash from <see cref="Head"/>.</summary>
    public void EndFrame()
    {
        _ = Head;
        ResetRunning();
    }

    /// <summary>Whether a chain-head record's body names this chain's state.</summary>
    public bool Matches(ReadOnlySpan<byte> chainHeadBody)
        => chainHeadBody.Length == RecordingFormat.ChainHeadBodyLength
            && BinaryPrimitives.ReadInt64BigEndian(chainHeadBody) == Count
            && chainHeadBody.Slice(8).SequenceEqual(Head);

    public void Dispose() => _sha.Dispose();

    private void ResetRunning()
    {
        if (_open)
        {
            Span<byte> discard = stackalloc byte[RecordingFormat.HashLength];
            _sha.GetHashAndReset(discard);
        }

        _open = false;
        _stale = false;
    }
}
