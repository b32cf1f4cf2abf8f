using Gateway.Core.Protocol.Postgres.Messages;
using Gateway.Testing;

namespace Gateway.Core.Tests.Protocol.Postgres.Messages;

public sealed class NegotiateProtocolVersionTests
{
    [Fact]
    public void Parse_VersionAndOptions_ReturnsBoth()
    {
        byte[] payload = Pg.Build().NegotiateProtocolVersion(0, "_pq_.compression", "_pq_.other").PayloadBytes();

        int version = NegotiateProtocolVersion.Parse(payload, out int options);

        Assert.Equal(3 << 16, version);
        Assert.Equal(2, options);
    }

    [Fact]
    public void Parse_NoOptions_ReturnsZero()
    {
        int version = NegotiateProtocolVersion.Parse(Pg.Build().NegotiateProtocolVersion(2).PayloadBytes(), out int options);

        Assert.Equal((3 << 16) | 2, version);
        Assert.Equal(0, options);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(int.MinValue)]
    public void Parse_NegativeCount_IsViolation(int count)
        => Payload.Violation(() => NegotiateProtocolVersion.Parse(Payload.Of(b => b.Int32(3 << 16).Int32(count).CString(Payload.Marker)), out _));

    [Theory]
    [InlineData(2)]
    [InlineData(int.MaxValue)]
    public void Parse_CountAboveTheOptionsSent_IsViolation(int count)
        => Payload.Violation(() => NegotiateProtocolVersion.Parse(Payload.Of(b => b.Int32(3 << 16).Int32(count).CString(Payload.Marker)), out _));

    [Fact]
    public void Parse_CountBelowTheOptionsSent_IsViolation()
        => Payload.Violation(() => NegotiateProtocolVersion.Parse(Payload.Of(b => b.Int32(3 << 16).Int32(1).CString("_pq_.a").CString(Payload.Marker)), out _));

    [Fact]
    public void Parse_OptionWithoutNul_IsViolation()
        => Payload.Violation(() => NegotiateProtocolVersion.Parse(Payload.Of(b => b.Int32(3 << 16).Int32(1).Bytes(Payload.Ascii(Payload.Marker))), out _));

    [Theory]
    [InlineData(0)]
    [InlineData(4)]
    [InlineData(7)]
    public void Parse_Truncated_IsViolation(int length)
        => Payload.Violation(() => NegotiateProtocolVersion.Parse(new byte[length], out _));
}
