using System.Buffers;
using Gateway.Core.Configuration;
using Gateway.Core.Protocol.Postgres;
using Gateway.Testing;

namespace Gateway.Core.Tests.Protocol.Postgres;

/// <summary>
/// Runs the frame reader over every segmentation of a fixture and over every prefix of each segmentation. A prefix
/// must yield exactly the messages it wholly contains, and the failing call must leave the buffer where it was.
/// </summary>
internal static class FrameAssert
{
    public const int MaxMessageSize = PgGatewayOptions.PostgresMaxMessageSize;

    public static void ReadsFrames(IReadOnlyList<WireFixture> messages, PgSide side)
    {
        byte[] data = [.. messages.SelectMany(m => m.Bytes)];
        int[] ends = new int[messages.Count];
        for (int i = 0, end = 0; i < messages.Count; i++)
        {
            end += messages[i].Bytes.Length;
            ends[i] = end;
        }

        foreach ((string segmentation, ReadOnlySequence<byte> whole) in Segmentations.Of(data))
        {
            for (int available = 0; available <= data.Length; available++)
            {
                string where = $"{segmentation}, first {available} of {data.Length} bytes";
                ReadOnlySequence<byte> original = whole.Slice(0, available);
                ReadOnlySequence<byte> buffer = original;
                int read = 0;
                while (true)
                {
                    ReadOnlySequence<byte> before = buffer;
                    if (!PgFrameReader.TryReadFrame(ref buffer, side, MaxMessageSize, out byte code, out ReadOnlySequence<byte> payload))
                    {
                        Assert.True(buffer.Start.Equals(before.Start) && buffer.End.Equals(before.End), $"{where}: an incomplete read moved the buffer");
                        Assert.True(payload.IsEmpty, $"{where}: an incomplete read returned a payload");
                        break;
                    }

                    Assert.True(read < messages.Count, $"{where}: read more messages than were sent");
                    WireFixture expected = messages[read];
                    int start = read == 0 ? 0 : ends[read - 1];
                    Assert.True(code == expected.Code, $"{where}: message {read} has code {PgFormat.Code(code)}, expected {expected.Name}");
                    Assert.True(payload.ToArray().AsSpan().SequenceEqual(expected.Payload), $"{where}: payload of {expected.Name} differs");
                    Assert.True(original.Slice(original.Start, payload.Start).Length == start + PgFrameReader.HeaderLength,
                        $"{where}: payload of {expected.Name} is not a slice of the input at its offset");
                    read++;
                    Assert.True(original.Length - buffer.Length == ends[read - 1], $"{where}: consumed count after {expected.Name} is wrong");
                }

                int complete = ends.Count(end => end <= available);
                Assert.True(read == complete, $"{where}: read {read} messages, expected {complete}");
                Assert.True(original.Length - buffer.Length == (complete == 0 ? 0 : ends[complete - 1]), $"{where}: wrong consumed count");
            }

            ReadOnlySequence<byte> all = whole;
            while (PgFrameReader.TryReadFrame(ref all, side, MaxMessageSize, out _, out _))
            {
            }

            Assert.True(all.IsEmpty, $"{segmentation}: {all.Length} bytes left over");
        }
    }

    /// <summary>A startup packet in every segmentation, whole and cut short.</summary>
    public static void ReadsStartupPacket(byte[] data)
    {
        foreach ((string segmentation, ReadOnlySequence<byte> whole) in Segmentations.Of(data))
        {
            for (int available = 0; available < data.Length; available++)
            {
                ReadOnlySequence<byte> buffer = whole.Slice(0, available);
                ReadOnlySequence<byte> before = buffer;
                Assert.False(PgFrameReader.TryReadStartupPacket(ref buffer, out ReadOnlySequence<byte> partial), $"{segmentation}, first {available} bytes");
                Assert.True(buffer.Start.Equals(before.Start) && buffer.End.Equals(before.End), $"{segmentation}, first {available} bytes: buffer moved");
                Assert.True(partial.IsEmpty, $"{segmentation}, first {available} bytes: returned a packet");
            }

            ReadOnlySequence<byte> complete = whole;
            Assert.True(PgFrameReader.TryReadStartupPacket(ref complete, out ReadOnlySequence<byte> packet), segmentation);
            Assert.True(packet.ToArray().AsSpan().SequenceEqual(data.AsSpan(4)), $"{segmentation}: packet differs");
            Assert.True(complete.IsEmpty, $"{segmentation}: {complete.Length} bytes left over");
            Assert.True(whole.Slice(whole.Start, packet.Start).Length == 4, $"{segmentation}: packet does not start after the length");
        }
    }
}
