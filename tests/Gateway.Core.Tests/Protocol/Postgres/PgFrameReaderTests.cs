using System.Buffers;
using System.Buffers.Binary;
using Gateway.Core.Protocol.Postgres;
using Gateway.Core.Protocol.Postgres.Messages;
using Gateway.Testing;

namespace Gateway.Core.Tests.Protocol.Postgres;

public sealed partial class PgFrameReaderTests
{
    private const int MaxMessageSize = FrameAssert.MaxMessageSize;

    public static TheoryData<string> FrontendMessages => WireFixtures.Names(WireFixtures.Frontend);

    public static TheoryData<string> BackendMessages => WireFixtures.Names(WireFixtures.Backend);

    public static TheoryData<string> FrontendPipelines => WireFixtures.Names(WireFixtures.FrontendPipelines);

    public static TheoryData<string> BackendPipelines => WireFixtures.Names(WireFixtures.BackendPipelines);

    public static TheoryData<string> StartupPackets => WireFixtures.Names(WireFixtures.StartupPackets);

    [Theory]
    [MemberData(nameof(FrontendMessages))]
    public void TryReadFrame_FrontendMessage_ReadsItInEverySegmentation(string name)
        => FrameAssert.ReadsFrames([WireFixtures.Frontend[name]], PgSide.Frontend);

    [Theory]
    [MemberData(nameof(BackendMessages))]
    public void TryReadFrame_BackendMessage_ReadsItInEverySegmentation(string name)
        => FrameAssert.ReadsFrames([WireFixtures.Backend[name]], PgSide.Backend);

    [Theory]
    [MemberData(nameof(FrontendPipelines))]
    public void TryReadFrame_PipelinedFrontendMessages_ReadsEachInOrderInEverySegmentation(string name)
        => FrameAssert.ReadsFrames(WireFixtures.FrontendPipelines[name], PgSide.Frontend);

    [Theory]
    [MemberData(nameof(BackendPipelines))]
    public void TryReadFrame_PipelinedBackendMessages_ReadsEachInOrderInEverySegmentation(string name)
        => FrameAssert.ReadsFrames(WireFixtures.BackendPipelines[name], PgSide.Backend);

    [Fact]
    public void Fixtures_AllMessages_CoverEveryTypedMessageCodeOfBothSides()
    {
        // The lists come from the protocol documentation, not from the enums under test.
        Assert.Equal("BCcdDEfFHPpQSX".Order(), WireFixtures.Frontend.Values.Select(f => (char)f.Code).Distinct().Order());
        Assert.Equal("123AcCdDEGHIKnNRsStTvVWZ".Order(), WireFixtures.Backend.Values.Select(f => (char)f.Code).Distinct().Order());
        int[] authenticationKinds = [.. WireFixtures.Backend.Values.Where(f => f.Code == 'R').Select(f => BinaryPrimitives.ReadInt32BigEndian(f.Payload)).Order()];
        Assert.Equal([0, 2, 3, 5, 6, 7, 8, 9, 10, 11, 12], authenticationKinds);
    }

    [Theory]
    [MemberData(nameof(FrontendMessages))]
    public void TryReadHeader_FrontendMessage_ReportsCodeAndLengthInEverySegmentation(string name)
        => AssertHeader(WireFixtures.Frontend[name]);

    [Theory]
    [MemberData(nameof(BackendMessages))]
    public void TryReadHeader_BackendMessage_ReportsCodeAndLengthInEverySegmentation(string name)
        => AssertHeader(WireFixtures.Backend[name]);

    [Fact]
    public void TryReadHeader_HeaderOnlyOfALargeMessage_ReturnsTrueWithoutTheBody()
    {
        byte[] header = Pg.Build().MessageWithLength('D', 1_000_000, []).ToArray();

        foreach ((string segmentation, ReadOnlySequence<byte> sequence) in Segmentations.Of(header))
        {
            Assert.True(PgFrameReader.TryReadHeader(sequence, PgSide.Backend, MaxMessageSize, out byte code, out int length), segmentation);
            Assert.Equal((byte)'D', code);
            Assert.Equal(1_000_000, length);

            ReadOnlySequence<byte> buffer = sequence;
            Assert.False(PgFrameReader.TryReadFrame(ref buffer, PgSide.Backend, MaxMessageSize, out _, out _), segmentation);
            Assert.Equal(sequence.Start, buffer.Start);
        }
    }

    [Fact]
    public void TryReadFrame_TwoMessagesInOneSegmentThenSplitThird_StopsAtTheIncompleteOne()
    {
        byte[] first = Pg.Build().ReadyForQuery().ParameterStatus("a", "b").ToArray();
        byte[] third = Pg.Build().CommandComplete("SELECT 1").ToArray();
        ReadOnlySequence<byte> buffer = Segmentations.Create([first, third[..3], third[3..7]]);

        Assert.True(PgFrameReader.TryReadFrame(ref buffer, PgSide.Backend, MaxMessageSize, out byte code1, out _));
        Assert.True(PgFrameReader.TryReadFrame(ref buffer, PgSide.Backend, MaxMessageSize, out byte code2, out _));
        long before = buffer.Length;
        Assert.False(PgFrameReader.TryReadFrame(ref buffer, PgSide.Backend, MaxMessageSize, out _, out _));

        Assert.Equal((byte)'Z', code1);
        Assert.Equal((byte)'S', code2);
        Assert.Equal(7, before);
        Assert.Equal(7, buffer.Length);
    }

    [Fact]
    public void TryReadFrame_EmptySegmentsAroundEveryByte_ReadsTheSameMessages()
    {
        WireFixture[] messages = WireFixtures.BackendPipelines["extended query result"];
        byte[] data = [.. messages.SelectMany(m => m.Bytes)];
        var segments = new List<byte[]> { Array.Empty<byte>() };
        foreach (byte b in data)
        {
            segments.Add([b]);
            segments.Add([]);
        }

        ReadOnlySequence<byte> buffer = Segmentations.Create([.. segments]);
        foreach (WireFixture expected in messages)
        {
            Assert.True(PgFrameReader.TryReadFrame(ref buffer, PgSide.Backend, MaxMessageSize, out byte code, out ReadOnlySequence<byte> payload), expected.Name);
            Assert.Equal(expected.Code, code);
            Assert.Equal(expected.Payload, payload.ToArray());
        }

        Assert.Equal(0, buffer.Length);
        Assert.False(PgFrameReader.TryReadFrame(ref buffer, PgSide.Backend, MaxMessageSize, out _, out _));

        ReadOnlySequence<byte> startup = Segmentations.Create([[], [0, 0], [], [0, 8], [], [0x04, 0xD2, 0x16], [], [0x2F], []]);
        Assert.True(PgFrameReader.TryReadStartupPacket(ref startup, out ReadOnlySequence<byte> packet));
        Assert.Equal(StartupRequestCode.SslRequest, BinaryPrimitives.ReadInt32BigEndian(packet.ToArray()));
    }

    [Theory]
    [MemberData(nameof(StartupPackets))]
    public void TryReadStartupPacket_Packet_ReadsItInEverySegmentation(string name)
        => FrameAssert.ReadsStartupPacket(WireFixtures.StartupPackets[name]);

    [Fact]
    public void TryReadStartupPacket_SslRequestFollowedByStartupMessage_ReadsOnlyTheFirstAndLeavesTheRest()
    {
        // The session refuses bytes that arrive with SSLRequest (CVE-2021-23214); that needs the reader to stop there.
        byte[] ssl = Pg.Build().SslRequest().ToArray();
        byte[] startup = Pg.Build().Startup(("user", "agent-1")).ToArray();
        byte[] query = Pg.Build().Query("SELECT 1").ToArray();
        byte[] data = [.. ssl, .. startup, .. query];

        foreach ((string segmentation, ReadOnlySequence<byte> sequence) in Segmentations.Of(data))
        {
            ReadOnlySequence<byte> buffer = sequence;
            Assert.True(PgFrameReader.TryReadStartupPacket(ref buffer, out ReadOnlySequence<byte> packet), segmentation);
            Assert.Equal(StartupRequestCode.SslRequest, BinaryPrimitives.ReadInt32BigEndian(packet.ToArray()));
            Assert.Equal(startup.Length + query.Length, buffer.Length);

            Assert.True(PgFrameReader.TryReadStartupPacket(ref buffer, out packet), segmentation);
            Assert.Equal(startup[4..], packet.ToArray());

            Assert.True(PgFrameReader.TryReadFrame(ref buffer, PgSide.Frontend, MaxMessageSize, out byte code, out _), segmentation);
            Assert.Equal((byte)FrontendCode.Query, code);
            Assert.True(buffer.IsEmpty, segmentation);
        }
    }

    [Theory]
    [InlineData(8)]
    [InlineData(10_000)]
    public void TryReadStartupPacket_LengthAtTheBounds_IsAccepted(int length)
    {
        byte[] data = new byte[length];
        BinaryPrimitives.WriteInt32BigEndian(data, length);
        BinaryPrimitives.WriteInt32BigEndian(data.AsSpan(4), StartupRequestCode.Protocol30);
        var buffer = new ReadOnlySequence<byte>(data);

        Assert.True(PgFrameReader.TryReadStartupPacket(ref buffer, out ReadOnlySequence<byte> packet));

        Assert.Equal(length - 4, packet.Length);
        Assert.True(buffer.IsEmpty);
    }

    private static void AssertHeader(WireFixture fixture)
    {
        foreach ((string segmentation, ReadOnlySequence<byte> sequence) in Segmentations.Of(fixture.Bytes))
        {
            for (int available = 0; available < PgFrameReader.HeaderLength; available++)
            {
                Assert.False(PgFrameReader.TryReadHeader(sequence.Slice(0, available), fixture.Side, MaxMessageSize, out byte none, out int zero),
                    $"{segmentation}, {available} bytes");
                Assert.Equal(0, none);
                Assert.Equal(0, zero);
            }

            for (int available = PgFrameReader.HeaderLength; available <= fixture.Bytes.Length; available++)
            {
                Assert.True(PgFrameReader.TryReadHeader(sequence.Slice(0, available), fixture.Side, MaxMessageSize, out byte code, out int length),
                    $"{segmentation}, {available} bytes");
                Assert.Equal(fixture.Code, code);
                Assert.Equal(fixture.Bytes.Length - 1, length);
            }
        }
    }
}
