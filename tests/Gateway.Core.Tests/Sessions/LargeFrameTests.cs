using System.Buffers;
using Gateway.Core.Sessions;
using Gateway.Testing;

namespace Gateway.Core.Tests.Sessions;

public sealed class LargeFrameTests
{
    [Fact]
    public void Append_FrameArrivingInPieces_CompletesExactlyAtItsLengthAndLeavesTheRest()
    {
        byte[] frame = Pg.Build().DataRow(new byte[300], [1, 2, 3]).ToArray();
        byte[] next = Pg.Build().ReadyForQuery().ToArray();
        byte[] data = [.. frame, .. next];

        foreach ((string segmentation, ReadOnlySequence<byte> sequence) in Segmentations.Of(data))
        {
            var large = new LargeFrame();
            large.Start((byte)'D', frame.Length);
            bool complete = false;
            var left = new List<byte>();
            foreach (ReadOnlyMemory<byte> piece in sequence)
            {
                var source = new ReadOnlySequence<byte>(piece);
                if (!complete)
                {
                    complete = large.Append(ref source);
                    Assert.True(complete || source.IsEmpty, $"{segmentation}: an incomplete frame left bytes in its source");
                }

                left.AddRange(source.ToArray());
            }

            Assert.True(complete, segmentation);
            Assert.Equal(next, left);
            Assert.Equal((byte)'D', large.Code);
            Assert.Equal(frame, large.Frame.ToArray());
            Assert.False(large.IsEmpty);
            large.Release();
            Assert.True(large.IsEmpty);
        }
    }

    [Fact]
    public void Append_WholeBufferHoldingMore_TakesOnlyTheFrame()
    {
        byte[] frame = Pg.Build().CommandComplete("SELECT 1").ToArray();
        byte[] next = Pg.Build().ReadyForQuery().ToArray();
        var source = new ReadOnlySequence<byte>([.. frame, .. next]);
        var large = new LargeFrame();
        large.Start((byte)'C', frame.Length);

        Assert.True(large.Append(ref source));

        Assert.Equal(frame, large.Frame.ToArray());
        Assert.Equal(next, source.ToArray());
        large.Release();
        large.Release(); // releasing twice returns the buffer once
    }
}
