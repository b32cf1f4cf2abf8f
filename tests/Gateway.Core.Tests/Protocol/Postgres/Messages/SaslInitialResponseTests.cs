using Gateway.Core.Protocol.Postgres.Messages;
using Gateway.Testing;

namespace Gateway.Core.Tests.Protocol.Postgres.Messages;

/// <summary>PROTO-04: SASL message lengths of 0, negative, 2^31-1 and larger than the message (CVE-2026-6664 class).</summary>
public sealed class SaslInitialResponseTests
{
    [Fact]
    public void Parse_MechanismAndData_ReturnsBoth()
    {
        byte[] payload = Pg.Build().SaslInitialResponse("SCRAM-SHA-256", "n,,n=,r=rOprNGfwEbeRWgbNEkqO"u8).PayloadBytes();

        ReadOnlySpan<byte> data = SaslInitialResponse.Parse(payload, out ReadOnlySpan<byte> mechanism);

        Assert.Equal("SCRAM-SHA-256"u8.ToArray(), mechanism.ToArray());
        Assert.Equal("n,,n=,r=rOprNGfwEbeRWgbNEkqO"u8.ToArray(), data.ToArray());
    }

    [Fact]
    public void Parse_LengthZero_ReturnsEmptyData()
    {
        ReadOnlySpan<byte> data = SaslInitialResponse.Parse(Payload.Of(b => b.CString("SCRAM-SHA-256").Int32(0)), out ReadOnlySpan<byte> mechanism);

        Assert.True(data.IsEmpty);
        Assert.Equal("SCRAM-SHA-256"u8.ToArray(), mechanism.ToArray());
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(-2)]
    [InlineData(int.MinValue)]
    public void Parse_NegativeLength_IsViolation(int length)
        => Payload.Violation(() => SaslInitialResponse.Parse(Payload.Of(b => b.CString("SCRAM-SHA-256").Int32(length).Bytes(Payload.Ascii(Payload.Marker))), out _));

    [Theory]
    [InlineData(16)]
    [InlineData(1000)]
    [InlineData(int.MaxValue)]
    [InlineData(int.MaxValue - 3)]
    public void Parse_LengthBeyondTheMessage_IsViolation(int length)
        => Payload.Violation(() => SaslInitialResponse.Parse(Payload.Of(b => b.CString("SCRAM-SHA-256").Int32(length).Bytes(Payload.Ascii(Payload.Marker))), out _));

    [Fact]
    public void Parse_LengthShorterThanTheData_IsViolation()
        => Payload.Violation(() => SaslInitialResponse.Parse(Payload.Of(b => b.CString("SCRAM-SHA-256").Int32(3).Bytes(Payload.Ascii(Payload.Marker))), out _));

    [Fact]
    public void Parse_MechanismWithoutNul_IsViolation()
        => Payload.Violation(() => SaslInitialResponse.Parse(Payload.Ascii("SCRAM-SHA-256" + Payload.Marker), out _));

    [Fact]
    public void Parse_NoLengthField_IsViolation()
        => Payload.Violation(() => SaslInitialResponse.Parse(Payload.Of(b => b.CString("SCRAM-SHA-256").Byte(0).Byte(0)), out _));
}
