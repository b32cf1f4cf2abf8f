using System.Buffers;
using System.IO.Pipelines;
using Gateway.Core.Protocol.Postgres;
using Gateway.Core.Sessions;

namespace Gateway.Core.Tests.Sessions;

/// <summary>The straight-to-the-wire output of the last hook commits whole, valid messages and nothing else.</summary>
public sealed class CheckedFrameWriterTests
{
    [Fact]
    public async Task Advance_WholeMessages_CommitsThemToThePipe()
    {
        var pipe = new Pipe();
        var writer = new CheckedFrameWriter();
        writer.Start(pipe.Writer, PgSide.Backend, 1 << 20);
        byte[] rows = [.. DataRow("a"), .. DataRow("bc")];
        rows.CopyTo(writer.GetSpan(rows.Length));
        writer.Advance(rows.Length);
        await pipe.Writer.FlushAsync(TestContext.Current.CancellationToken);

        ReadResult read = await pipe.Reader.ReadAsync(TestContext.Current.CancellationToken);
        Assert.Equal(rows, read.Buffer.ToArray());
        Assert.True(writer.Wrote);
    }

    [Theory]
    [InlineData(-2)]
    [InlineData(+1)]
    public async Task Advance_MessageWhoseLengthIsMiscounted_ThrowsAndCommitsNothing(int error)
    {
        var pipe = new Pipe();
        var writer = new CheckedFrameWriter();
        writer.Start(pipe.Writer, PgSide.Backend, 1 << 20);
        byte[] good = DataRow("ok");
        byte[] bad = DataRow("secret value");
        bad[4] = (byte)(bad[4] + error);
        byte[] both = [.. good, .. bad];
        both.CopyTo(writer.GetSpan(both.Length));

        Assert.ThrowsAny<Exception>(() => writer.Advance(both.Length));
        Assert.False(writer.Wrote);
        await pipe.Writer.FlushAsync(TestContext.Current.CancellationToken);
        Assert.False(pipe.Reader.TryRead(out ReadResult read) && !read.Buffer.IsEmpty);
    }

    [Fact]
    public void Advance_PartOfAMessage_Throws()
    {
        var pipe = new Pipe();
        var writer = new CheckedFrameWriter();
        writer.Start(pipe.Writer, PgSide.Backend, 1 << 20);
        byte[] row = DataRow("abc");
        row.CopyTo(writer.GetSpan(row.Length));

        Assert.Throws<InvalidOperationException>(() => writer.Advance(row.Length - 1));
        Assert.False(writer.Wrote);
    }

    private static byte[] DataRow(string value)
    {
        byte[] text = System.Text.Encoding.UTF8.GetBytes(value);
        var frame = new byte[1 + 4 + 2 + 4 + text.Length];
        frame[0] = (byte)BackendCode.DataRow;
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(frame.AsSpan(1), frame.Length - 1);
        System.Buffers.Binary.BinaryPrimitives.WriteInt16BigEndian(frame.AsSpan(5), 1);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(frame.AsSpan(7), text.Length);
        text.CopyTo(frame, 11);
        return frame;
    }
}
