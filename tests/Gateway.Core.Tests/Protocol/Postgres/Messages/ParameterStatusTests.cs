using Gateway.Core.Protocol.Postgres.Messages;
using Gateway.Testing;

namespace Gateway.Core.Tests.Protocol.Postgres.Messages;

public sealed class ParameterStatusTests
{
    [Theory]
    [InlineData("server_version", "15.18")]
    [InlineData("TimeZone", "Europe/Zürich")]
    [InlineData("application_name", "")]
    public void Parse_NameAndValue_ReturnsBoth(string name, string value)
    {
        byte[] payload = Pg.Build().ParameterStatus(name, value).PayloadBytes();

        Assert.Equal(new KeyValuePair<string, string>(name, value), ParameterStatus.Parse(payload));
    }

    [Fact]
    public void Parse_ValueWithoutNul_IsViolation()
        => Payload.Violation(() => ParameterStatus.Parse(Payload.Of(b => b.CString("application_name").Bytes(Payload.Ascii(Payload.Marker)))));

    [Fact]
    public void Parse_NameOnly_IsViolation()
        => Payload.Violation(() => ParameterStatus.Parse(Payload.Of(b => b.CString("application_name"))));

    [Fact]
    public void Parse_TrailingBytes_IsViolation()
        => Payload.Violation(() => ParameterStatus.Parse(Payload.Of(b => b.CString("a").CString("b").CString(Payload.Marker))));

    [Fact]
    public void Parse_NonUtf8Value_IsViolation()
        => Payload.Violation(() => ParameterStatus.Parse(Payload.Of(b => b.CString("a").Bytes(Payload.Ascii(Payload.Marker)).Byte(0xFF).Byte(0))));

    [Theory]
    [InlineData("session_authorization", "bench", true)]
    [InlineData("session_authorizatio", "x", false)]
    [InlineData("session_authorization_x", "x", false)]
    [InlineData("TimeZone", "session_authorization", false)]
    public void IsNamed_ValidMessage_ComparesTheNameOnly(string name, string value, bool expected)
    {
        byte[] payload = Pg.Build().ParameterStatus(name, value).PayloadBytes();

        Assert.Equal(expected, ParameterStatus.IsNamed(payload, "session_authorization"u8));
    }

    [Fact]
    public void IsNamed_NameOnly_IsViolation()
        => Payload.Violation(() => ParameterStatus.IsNamed(Payload.Of(b => b.CString("session_authorization")), "session_authorization"u8));

    [Fact]
    public void IsNamed_TrailingBytes_IsViolation()
        => Payload.Violation(() => ParameterStatus.IsNamed(Payload.Of(b => b.CString("a").CString("b").CString(Payload.Marker)), "a"u8));

    [Fact]
    public void IsNamed_NonUtf8Value_IsViolation()
        => Payload.Violation(() => ParameterStatus.IsNamed(Payload.Of(b => b.CString("a").Bytes(Payload.Ascii(Payload.Marker)).Byte(0xFF).Byte(0)), "a"u8));
}
