using System.Buffers.Binary;
using Gateway.Core.Protocol.Postgres;

namespace Gateway.Host.Recording;

/// <summary>One record read back from a recording: its kind and body, with accessors for the common fields.</summary>
/// <param name="Kind">The record kind byte (see <see cref="RecordingFormat"/>).</param>
/// <param name="Frame">The zstd frame it came from, from 0.</param>
/// <param name="Index">Its position in the file, from 0 (the header).</param>
/// <param name="Body">The record's body.</param>
internal readonly record struct RecordingRecord(byte Kind, int Frame, long Index, ReadOnlyMemory<byte> Body)
{
    private bool HasTime => Kind is RecordingFormat.Message or RecordingFormat.Raw or RecordingFormat.Malformed or RecordingFormat.Truncated && Body.Length >= 8;

    /// <summary>Microseconds since the recording started (message, raw, malformed and truncated records).</summary>
    public long Microseconds => HasTime ? BinaryPrimitives.ReadInt64BigEndian(Body.Span) : 0;

    /// <summary>Who sent it (message, raw and malformed records).</summary>
    public PgSide Side => Kind is RecordingFormat.Message or RecordingFormat.Raw or RecordingFormat.Malformed && Body.Length > 8 ? (PgSide)Body.Span[8] : PgSide.Frontend;

    /// <summary>Message flags (<see cref="RecordingFormat.FlagRedacted"/>).</summary>
    public byte Flags => Kind == RecordingFormat.Message && Body.Length >= RecordingFormat.MessagePrefixLength ? Body.Span[9] : (byte)0;

    /// <summary>The message type byte of a message record.</summary>
    public byte MessageType => Kind == RecordingFormat.Message && Body.Length >= RecordingFormat.MessagePrefixLength ? Body.Span[10] : (byte)0;

    /// <summary>The message payload (after type and length) of a message record, the bytes of a raw record, the reason of a malformed one.</summary>
    public ReadOnlyMemory<byte> Payload => Kind switch
    {
        RecordingFormat.Message when Body.Length >= RecordingFormat.MessagePrefixLength => Body.Slice(RecordingFormat.MessagePrefixLength),
        RecordingFormat.Raw when Body.Length >= RecordingFormat.RawPrefixLength => Body.Slice(RecordingFormat.RawPrefixLength),
        RecordingFormat.Malformed when Body.Length >= 17 => Body.Slice(17),
        _ => Body,
    };
}
