using Gateway.Core.Protocol.Postgres.Messages;
using Gateway.Testing;

namespace Gateway.Core.Tests.Protocol.Postgres.Messages;

public sealed class AuthenticationRequestTests
{
    [Fact]
    public void Parse_Ok_ReturnsOkWithNoData()
    {
        int kind = AuthenticationRequest.Parse(Pg.Build().AuthenticationOk().PayloadBytes(), out ReadOnlySpan<byte> data);

        Assert.Equal(AuthenticationRequest.Ok, kind);
        Assert.True(data.IsEmpty);
    }

    [Fact]
    public void Parse_CleartextPassword_ReturnsItWithNoData()
    {
        int kind = AuthenticationRequest.Parse(Pg.Build().AuthenticationCleartextPassword().PayloadBytes(), out ReadOnlySpan<byte> data);

        Assert.Equal(AuthenticationRequest.CleartextPassword, kind);
        Assert.True(data.IsEmpty);
    }

    [Fact]
    public void Parse_Md5Password_ReturnsTheFourByteSalt()
    {
        int kind = AuthenticationRequest.Parse(Pg.Build().AuthenticationMd5Password([0xDE, 0xAD, 0xBE, 0xEF]).PayloadBytes(), out ReadOnlySpan<byte> data);

        Assert.Equal(AuthenticationRequest.Md5Password, kind);
        Assert.Equal([0xDE, 0xAD, 0xBE, 0xEF], data.ToArray());
    }

    [Fact]
    public void Parse_Sasl_ReturnsTheMechanismList()
    {
        int kind = AuthenticationRequest.Parse(Pg.Build().AuthenticationSasl("SCRAM-SHA-256").PayloadBytes(), out ReadOnlySpan<byte> data);

        Assert.Equal(AuthenticationRequest.Sasl, kind);
        Assert.Equal("SCRAM-SHA-256\0\0"u8.ToArray(), data.ToArray());
    }

    [Fact]
    public void Parse_SaslContinue_ReturnsTheServerFirstMessage()
    {
        int kind = AuthenticationRequest.Parse(Pg.Build().AuthenticationSaslContinue("r=abc,s=c2FsdA==,i=4096").PayloadBytes(), out ReadOnlySpan<byte> data);

        Assert.Equal(AuthenticationRequest.SaslContinue, kind);
        Assert.Equal("r=abc,s=c2FsdA==,i=4096"u8.ToArray(), data.ToArray());
    }

    [Fact]
    public void Parse_SaslFinal_ReturnsTheServerFinalMessage()
    {
        int kind = AuthenticationRequest.Parse(Pg.Build().AuthenticationSaslFinal("v=abc=").PayloadBytes(), out ReadOnlySpan<byte> data);

        Assert.Equal(AuthenticationRequest.SaslFinal, kind);
        Assert.Equal("v=abc="u8.ToArray(), data.ToArray());
    }

    [Theory]
    [InlineData(2)]
    [InlineData(7)]
    [InlineData(9)]
    [InlineData(-1)]
    public void Parse_KindTheGatewayDoesNotSpeak_ReturnsItForTheCallerToRefuse(int requested)
    {
        int kind = AuthenticationRequest.Parse(Payload.Of(b => b.Int32(requested)), out ReadOnlySpan<byte> data);

        Assert.Equal(requested, kind);
        Assert.True(data.IsEmpty);
    }

    [Theory]
    [InlineData(0, 1)]
    [InlineData(0, 15)]
    [InlineData(3, 4)]
    [InlineData(5, 0)]
    [InlineData(5, 3)]
    [InlineData(5, 5)]
    [InlineData(5, 15)]
    public void Parse_BodyOfTheWrongSize_IsViolation(int kind, int bodyLength)
    {
        byte[] payload = Payload.Of(b => b.Int32(kind).Bytes(Payload.Ascii(Payload.Marker).AsSpan(0, bodyLength)));

        Payload.Violation(() => AuthenticationRequest.Parse(payload, out _));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    public void Parse_ShorterThanTheKind_IsViolation(int length)
        => Payload.Violation(() => AuthenticationRequest.Parse(new byte[length], out _));

    [Theory]
    [InlineData("SCRAM-SHA-256\0\0", true)]
    [InlineData("SCRAM-SHA-256-PLUS\0SCRAM-SHA-256\0\0", true)]
    [InlineData("SCRAM-SHA-256\0SCRAM-SHA-256-PLUS\0\0", true)]
    [InlineData("SCRAM-SHA-256-PLUS\0\0", false)]
    [InlineData("SCRAM-SHA-1\0\0", false)]
    [InlineData("scram-sha-256\0\0", false)]
    [InlineData("SCRAM-SHA-25\0\0", false)]
    [InlineData("\0", false)]
    public void OffersMechanism_MechanismList_FindsOnlyAnExactName(string list, bool offered)
        => Assert.Equal(offered, AuthenticationRequest.OffersMechanism(Payload.Ascii(list), "SCRAM-SHA-256"u8));

    [Theory]
    [InlineData("")]
    [InlineData("SCRAM-SHA-256\0")]
    [InlineData("SCRAM-SHA-256")]
    [InlineData("SCRAM-SHA-256\0\0SECRET-ROW-DATA")]
    public void OffersMechanism_MalformedList_IsViolation(string list)
    {
        byte[] data = Payload.Ascii(list);

        Payload.Violation(() => AuthenticationRequest.OffersMechanism(data, "SCRAM-SHA-256"u8));
    }
}
