using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;

namespace Gateway.Benchmarks.Sessions;

/// <summary>Reads whole messages during setup, when copying them is fine. Independent of Gateway.Core's frame reader.</summary>
internal static class WireIo
{
    public static async Task<(byte Code, byte[] Payload)> ReadMessageAsync(PipeReader reader, CancellationToken cancellationToken)
    {
        while (true)
        {
            ReadResult result = await reader.ReadAsync(cancellationToken);
            ReadOnlySequence<byte> buffer = result.Buffer;
            if (buffer.Length >= 5)
            {
                byte[] header = buffer.Slice(0, 5).ToArray();
                int length = BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(1));
                if (length < 4)
                {
                    throw new InvalidOperationException($"message '{(char)header[0]}' declares length {length}");
                }

                if (buffer.Length >= length + 1L)
                {
                    byte[] payload = buffer.Slice(5, length - 4).ToArray();
                    reader.AdvanceTo(buffer.GetPosition(length + 1L));
                    return (header[0], payload);
                }
            }

            reader.AdvanceTo(buffer.Start, buffer.End);
            if (result.IsCompleted)
            {
                throw new InvalidOperationException("the peer closed the connection in the middle of login");
            }
        }
    }

    /// <summary>Reads an untyped startup packet and returns what follows its length field.</summary>
    public static async Task<byte[]> ReadStartupPacketAsync(PipeReader reader, CancellationToken cancellationToken)
    {
        while (true)
        {
            ReadResult result = await reader.ReadAsync(cancellationToken);
            ReadOnlySequence<byte> buffer = result.Buffer;
            if (buffer.Length >= 4)
            {
                int length = BinaryPrimitives.ReadInt32BigEndian(buffer.Slice(0, 4).ToArray());
                if (buffer.Length >= length)
                {
                    byte[] packet = buffer.Slice(4, length - 4).ToArray();
                    reader.AdvanceTo(buffer.GetPosition(length));
                    return packet;
                }
            }

            reader.AdvanceTo(buffer.Start, buffer.End);
            if (result.IsCompleted)
            {
                throw new InvalidOperationException("the gateway closed the upstream connection before its StartupMessage");
            }
        }
    }

    public static async Task WriteAsync(PipeWriter writer, byte[] bytes, CancellationToken cancellationToken)
    {
        FlushResult flushed = await writer.WriteAsync(bytes, cancellationToken);
        if (flushed.IsCompleted)
        {
            throw new InvalidOperationException("the peer stopped reading");
        }
    }

    /// <summary>The text of an ErrorResponse's M (message) field, for setup failures; the payload is ours, not a user's.</summary>
    public static string ErrorText(byte[] payload)
    {
        int offset = 0;
        while (offset < payload.Length && payload[offset] != 0)
        {
            int end = Array.IndexOf(payload, (byte)0, offset + 1);
            if (end < 0)
            {
                break;
            }

            if (payload[offset] == (byte)'M')
            {
                return System.Text.Encoding.UTF8.GetString(payload, offset + 1, end - offset - 1);
            }

            offset = end + 1;
        }

        return "(no message)";
    }
}
