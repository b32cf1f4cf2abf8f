using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using Gateway.Core.Protocol.Postgres;
using Gateway.Testing;

namespace Gateway.Core.Tests.Protocol.Postgres;

/// <summary>PROTO-07: bad length fields and unknown codes, fed to the client-facing and the upstream-facing reader.</summary>
public sealed partial class PgFrameReaderTests
{
    // From the protocol documentation (protocol-message-formats), independent of the enums under test.
    private const string FrontendCodes = "BCcdDEfFHPpQSX";
    private const string BackendCodes = "123AcCdDEGHIKnNRsStTvVWZ";

    private static readonly Dictionary<(PgSide, char), int> FixedLengths = new()
    {
        [(PgSide.Frontend, 'c')] = 4,
        [(PgSide.Frontend, 'H')] = 4,
        [(PgSide.Frontend, 'S')] = 4,
        [(PgSide.Frontend, 'X')] = 4,
        [(PgSide.Backend, '1')] = 4,
        [(PgSide.Backend, '2')] = 4,
        [(PgSide.Backend, '3')] = 4,
        [(PgSide.Backend, 'c')] = 4,
        [(PgSide.Backend, 'I')] = 4,
        [(PgSide.Backend, 'n')] = 4,
        [(PgSide.Backend, 's')] = 4,
        [(PgSide.Backend, 'K')] = 12,
        [(PgSide.Backend, 'Z')] = 5,
    };

    public static TheoryData<PgSide, char, int> LengthsBelowFour()
    {
        var data = new TheoryData<PgSide, char, int>();
        foreach ((PgSide side, char code) in new[] { (PgSide.Frontend, 'Q'), (PgSide.Frontend, 'S'), (PgSide.Backend, 'D'), (PgSide.Backend, 'Z') })
        {
            foreach (int length in new[] { 0, 1, 3, unchecked((int)0xFFFFFFFF), unchecked((int)0x80000000), unchecked((int)0x80000003) })
            {
                data.Add(side, code, length);
            }
        }

        return data;
    }

    public static TheoryData<PgSide, char, int> WrongFixedLengths()
    {
        var data = new TheoryData<PgSide, char, int>();
        foreach (((PgSide side, char code), int fixedLength) in FixedLengths)
        {
            foreach (int length in new[] { 4, 5, 8, 12, 13, 1024, 0x7FFFFFFF })
            {
                if (length != fixedLength)
                {
                    data.Add(side, code, length);
                }
            }
        }

        return data;
    }

    public static TheoryData<PgSide, char> FixedLengthCodes()
    {
        var data = new TheoryData<PgSide, char>();
        foreach ((PgSide side, char code) in FixedLengths.Keys)
        {
            data.Add(side, code);
        }

        return data;
    }

    [Theory]
    [InlineData(PgSide.Frontend)]
    [InlineData(PgSide.Backend)]
    public void TryReadHeader_EveryTypeByte_AcceptsExactlyTheCodesOfThatSide(PgSide side)
    {
        string known = side == PgSide.Frontend ? FrontendCodes : BackendCodes;
        for (int value = 0; value < 256; value++)
        {
            char code = (char)value;
            int length = FixedLengths.TryGetValue((side, code), out int fixedLength) ? fixedLength : 8;
            byte[] header = Header(code, length);

            if (known.Contains(code, StringComparison.Ordinal))
            {
                Assert.True(PgFrameReader.TryReadHeader(new ReadOnlySequence<byte>(header), side, MaxMessageSize, out byte read, out int readLength), $"code 0x{value:X2}");
                Assert.Equal(value, read);
                Assert.Equal(length, readLength);
            }
            else
            {
                var violation = Assert.Throws<PgProtocolException>(
                    () => PgFrameReader.TryReadHeader(new ReadOnlySequence<byte>(header), side, MaxMessageSize, out _, out _));
                Assert.False(violation.MessageTooLarge);
                Assert.Contains("unknown", violation.Message, StringComparison.Ordinal);
            }
        }
    }

    [Theory]
    [InlineData(PgSide.Frontend, 'Z')]
    [InlineData(PgSide.Frontend, 'T')]
    [InlineData(PgSide.Frontend, '\0')]
    [InlineData(PgSide.Frontend, '\u00FF')]
    [InlineData(PgSide.Backend, 'Q')]
    [InlineData(PgSide.Backend, 'P')]
    [InlineData(PgSide.Backend, 'X')]
    [InlineData(PgSide.Backend, '\u0016')]
    public void TryReadFrame_UnknownTypeByte_ThrowsProtocolViolationWithoutPayload(PgSide side, char code)
    {
        byte[] data = Pg.Build().MessageWithLength(code, 4 + WireFixtures.MarkerBytes.Length, WireFixtures.MarkerBytes).ToArray();

        PgProtocolException violation = AssertEverySegmentationThrows(data, side, MaxMessageSize);

        Assert.False(violation.MessageTooLarge);
        Assert.Contains("unknown", violation.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(LengthsBelowFour))]
    public void TryReadFrame_LengthBelowFour_ThrowsProtocolViolationWithoutPayload(PgSide side, char code, int length)
    {
        byte[] data = Pg.Build().MessageWithLength(code, length, WireFixtures.MarkerBytes).ToArray();

        PgProtocolException violation = AssertEverySegmentationThrows(data, side, MaxMessageSize);

        Assert.False(violation.MessageTooLarge);
        Assert.Contains(length.ToString(CultureInfo.InvariantCulture), violation.Message, StringComparison.Ordinal);
        AssertHeaderAloneThrows(code, length, side, MaxMessageSize);
    }

    [Theory]
    [MemberData(nameof(WrongFixedLengths))]
    public void TryReadFrame_FixedLengthMessageWithAnotherLength_ThrowsProtocolViolationWithoutPayload(PgSide side, char code, int length)
    {
        byte[] data = Pg.Build().MessageWithLength(code, length, WireFixtures.MarkerBytes).ToArray();

        PgProtocolException violation = AssertEverySegmentationThrows(data, side, MaxMessageSize);

        Assert.False(violation.MessageTooLarge);
        Assert.Contains(length.ToString(CultureInfo.InvariantCulture), violation.Message, StringComparison.Ordinal);
        AssertHeaderAloneThrows(code, length, side, MaxMessageSize);
    }

    [Theory]
    [MemberData(nameof(FixedLengthCodes))]
    public void TryReadFrame_FixedLengthMessageWithItsLength_IsRead(PgSide side, char code)
    {
        int length = FixedLengths[(side, code)];
        byte[] data = Pg.Build().MessageWithLength(code, length, new byte[length - 4]).ToArray();
        var buffer = new ReadOnlySequence<byte>(data);

        Assert.True(PgFrameReader.TryReadFrame(ref buffer, side, MaxMessageSize, out byte read, out ReadOnlySequence<byte> payload));

        Assert.Equal((byte)code, read);
        Assert.Equal(length - 4, payload.Length);
        Assert.True(buffer.IsEmpty);
    }

    [Theory]
    [InlineData(PgSide.Frontend, 'Q')]
    [InlineData(PgSide.Frontend, 'd')]
    [InlineData(PgSide.Backend, 'D')]
    [InlineData(PgSide.Backend, 'E')]
    public void TryReadFrame_Length0x7FFFFFFF_ThrowsMessageTooLargeBeforeTheBodyArrives(PgSide side, char code)
    {
        byte[] data = Pg.Build().MessageWithLength(code, int.MaxValue, WireFixtures.MarkerBytes).ToArray();

        PgProtocolException violation = AssertEverySegmentationThrows(data, side, MaxMessageSize);

        Assert.True(violation.MessageTooLarge);
        Assert.Contains(int.MaxValue.ToString(CultureInfo.InvariantCulture), violation.Message, StringComparison.Ordinal);
        AssertHeaderAloneThrows(code, int.MaxValue, side, MaxMessageSize);
    }

    [Theory]
    [InlineData(PgSide.Frontend, 'Q', 1024)]
    [InlineData(PgSide.Frontend, 'p', 10_000)]
    [InlineData(PgSide.Backend, 'D', 1024)]
    [InlineData(PgSide.Backend, 'R', 10_000)]
    public void TryReadFrame_LengthAboveConfiguredMaximum_ThrowsMessageTooLarge(PgSide side, char code, int maximum)
    {
        byte[] data = Pg.Build().MessageWithLength(code, maximum + 1, WireFixtures.MarkerBytes).ToArray();

        PgProtocolException violation = AssertEverySegmentationThrows(data, side, maximum);

        Assert.True(violation.MessageTooLarge);
        Assert.Contains((maximum + 1).ToString(CultureInfo.InvariantCulture), violation.Message, StringComparison.Ordinal);
        AssertHeaderAloneThrows(code, maximum + 1, side, maximum);
    }

    [Theory]
    [InlineData(PgSide.Frontend, 'Q', 1024)]
    [InlineData(PgSide.Backend, 'D', 10_000)]
    public void TryReadFrame_LengthEqualToConfiguredMaximum_IsRead(PgSide side, char code, int maximum)
    {
        byte[] body = new byte[maximum - 4];
        body[^1] = 0;
        byte[] data = Pg.Build().MessageWithLength(code, maximum, body).ToArray();
        var buffer = new ReadOnlySequence<byte>(data);

        Assert.True(PgFrameReader.TryReadFrame(ref buffer, side, maximum, out _, out ReadOnlySequence<byte> payload));

        Assert.Equal(maximum - 4, payload.Length);
    }

    [Theory]
    [InlineData(PgSide.Frontend, 'Q')]
    [InlineData(PgSide.Frontend, 'B')]
    [InlineData(PgSide.Backend, 'D')]
    [InlineData(PgSide.Backend, 'T')]
    public void TryReadFrame_FewerBytesThanDeclared_ReturnsFalseAndLeavesTheBufferUntouched(PgSide side, char code)
    {
        byte[] data = Pg.Build().MessageWithLength(code, 100, WireFixtures.MarkerBytes).ToArray();

        foreach ((string segmentation, ReadOnlySequence<byte> sequence) in Segmentations.Of(data))
        {
            ReadOnlySequence<byte> buffer = sequence;
            Assert.False(PgFrameReader.TryReadFrame(ref buffer, side, MaxMessageSize, out _, out ReadOnlySequence<byte> payload), segmentation);
            Assert.Equal(sequence.Start, buffer.Start);
            Assert.Equal(sequence.End, buffer.End);
            Assert.True(payload.IsEmpty, segmentation);
        }
    }

    [Theory]
    [InlineData(unchecked((int)0x80000000))]
    [InlineData(unchecked((int)0xFFFFFFFF))]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(4)]
    [InlineData(7)]
    [InlineData(10_001)]
    [InlineData(0x7FFFFFFF)]
    public void TryReadStartupPacket_LengthOutsideEightToTenThousand_ThrowsProtocolViolationWithoutPayload(int length)
    {
        byte[] data = Pg.Build().Raw(BigEndian(length)).Raw(BigEndian(3 << 16)).Raw(WireFixtures.MarkerBytes).ToArray();

        PgProtocolException? last = null;
        foreach ((string segmentation, ReadOnlySequence<byte> sequence) in Segmentations.Of(data))
        {
            ReadOnlySequence<byte> buffer = sequence;
            last = Assert.Throws<PgProtocolException>(() => PgFrameReader.TryReadStartupPacket(ref buffer, out _));
            AssertNoPayload(last);
        }

        // Only the length field has arrived: the bogus length is refused without waiting for more.
        var lengthOnly = new ReadOnlySequence<byte>(BigEndian(length));
        Assert.Throws<PgProtocolException>(() => PgFrameReader.TryReadStartupPacket(ref lengthOnly, out _));
        Assert.Contains(length.ToString(CultureInfo.InvariantCulture), last!.Message, StringComparison.Ordinal);
        Assert.False(last.MessageTooLarge);
    }

    [Fact]
    public void TryReadStartupPacket_FewerBytesThanDeclared_ReturnsFalseAndLeavesTheBufferUntouched()
    {
        byte[] data = Pg.Build().Raw(BigEndian(10_000)).Raw(BigEndian(3 << 16)).Raw(WireFixtures.MarkerBytes).ToArray();

        foreach ((string segmentation, ReadOnlySequence<byte> sequence) in Segmentations.Of(data))
        {
            for (int available = 0; available <= data.Length; available++)
            {
                ReadOnlySequence<byte> buffer = sequence.Slice(0, available);
                ReadOnlySequence<byte> before = buffer;
                Assert.False(PgFrameReader.TryReadStartupPacket(ref buffer, out ReadOnlySequence<byte> packet), segmentation);
                Assert.Equal(before.Start, buffer.Start);
                Assert.Equal(before.End, buffer.End);
                Assert.True(packet.IsEmpty);
            }
        }
    }

    private static PgProtocolException AssertEverySegmentationThrows(byte[] data, PgSide side, int maximum)
    {
        PgProtocolException? first = null;
        foreach ((string segmentation, ReadOnlySequence<byte> sequence) in Segmentations.Of(data))
        {
            ReadOnlySequence<byte> buffer = sequence;
            var violation = Assert.Throws<PgProtocolException>(() => PgFrameReader.TryReadFrame(ref buffer, side, maximum, out _, out _));
            AssertNoPayload(violation);
            first ??= violation;
            Assert.True(first.Message == violation.Message, $"{segmentation}: the message depends on the segmentation");
        }

        return first!;
    }

    private static void AssertHeaderAloneThrows(char code, int length, PgSide side, int maximum)
    {
        var header = new ReadOnlySequence<byte>(Header(code, length));
        Assert.Throws<PgProtocolException>(() => PgFrameReader.TryReadHeader(header, side, maximum, out _, out _));
    }

    private static void AssertNoPayload(PgProtocolException violation)
    {
        Assert.DoesNotContain(WireFixtures.Marker, violation.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("SECRET", violation.Message, StringComparison.OrdinalIgnoreCase);
    }

    private static byte[] Header(char code, int length) => Pg.Build().MessageWithLength(code, length, []).ToArray();

    private static byte[] BigEndian(int value)
    {
        byte[] bytes = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(bytes, value);
        return bytes;
    }
}
