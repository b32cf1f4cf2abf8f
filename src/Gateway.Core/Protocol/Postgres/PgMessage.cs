using System.Buffers;

namespace Gateway.Core.Protocol.Postgres;

/// <summary>A view of one whole framed message; the payload is a slice of the transport's buffers, not a copy.</summary>
/// <param name="Side">Which peer sent it.</param>
/// <param name="Code">The type byte.</param>
/// <param name="Payload">The bytes after the length field.</param>
public readonly record struct PgMessage(PgSide Side, byte Code, ReadOnlySequence<byte> Payload);
