using System.Buffers;

namespace Gateway.Testing;

/// <summary>
/// Every way a fixture can arrive from a socket: whole, inside padding, split at each point, and one byte per
/// segment. Parsers must give the same answer for all of them.
/// </summary>
public static class Segmentations
{
    public static IEnumerable<(string Name, ReadOnlySequence<byte> Sequence)> Of(byte[] data)
    {
        yield return ("single segment", new ReadOnlySequence<byte>(data));

        byte[] padded = new byte[data.Length + 32];
        Array.Fill(padded, (byte)0xEE);
        data.CopyTo(padded, 16);
        yield return ("offset inside padding", new ReadOnlySequence<byte>(padded, 16, data.Length));

        for (int split = 1; split < data.Length; split++)
        {
            yield return ($"split at {split}", Create([data[..split], data[split..]]));
        }

        if (data.Length > 1)
        {
            yield return ("one byte per segment", Create(data.Select(b => new[] { b }).ToArray()));
        }

        var random = new Random(43134114);
        for (int i = 0; i < 4 && data.Length > 3; i++)
        {
            int a = random.Next(1, data.Length - 1);
            int b = random.Next(a + 1, data.Length);
            yield return ($"three segments {a}/{b}", Create([data[..a], data[a..b], data[b..]]));
        }
    }

    /// <summary>Builds a multi-segment sequence over the given arrays, including empty ones.</summary>
    public static ReadOnlySequence<byte> Create(byte[][] segments)
    {
        var first = new Segment(segments[0], 0);
        Segment last = first;
        foreach (byte[] segment in segments.Skip(1))
        {
            last = last.Append(segment);
        }

        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(byte[] memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(byte[] memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}
