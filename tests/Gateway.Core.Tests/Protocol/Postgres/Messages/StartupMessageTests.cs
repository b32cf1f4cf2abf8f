using Gateway.Core.Protocol.Postgres;
using Gateway.Core.Protocol.Postgres.Messages;
using Gateway.Testing;

namespace Gateway.Core.Tests.Protocol.Postgres.Messages;

public sealed class StartupMessageTests
{
    private const int Protocol30 = 3 << 16;

    [Fact]
    public void Parse_Parameters_ReturnsThemInOrderWithTheVersion()
    {
        byte[] packet = Packet(Pg.Build().Startup(("user", "agent-1"), ("database", "shop"), ("application_name", "psql ✓"), ("options", "")));

        StartupParameters parameters = StartupMessage.Parse(packet, out int version);

        Assert.Equal(Protocol30, version);
        Assert.Equal(
            [new("user", "agent-1"), new("database", "shop"), new("application_name", "psql ✓"), new KeyValuePair<string, string>("options", "")],
            parameters.All);
        Assert.Equal("agent-1", parameters.User);
        Assert.Equal("shop", parameters.Database);
        Assert.Null(parameters["search_path"]);
    }

    [Fact]
    public void Parse_NoDatabase_DatabaseDefaultsToUser()
    {
        StartupParameters parameters = StartupMessage.Parse(Packet(Pg.Build().Startup(("user", "agent-1"))), out _);

        Assert.Equal("agent-1", parameters.Database);
    }

    [Fact]
    public void Parse_OtherProtocolVersion_ReturnsItForTheCallerToJudge()
    {
        StartupMessage.Parse(Packet(Pg.Build().Startup((3 << 16) | 2, ("user", "u"))), out int version);

        Assert.Equal((3 << 16) | 2, version);
    }

    [Fact]
    public void Parse_EmptyNameRightAfterTheVersion_EndsWithNoParameters()
    {
        StartupParameters parameters = StartupMessage.Parse(Packet(Pg.Build().Startup()), out _);

        Assert.Empty(parameters.All);
        Assert.Null(parameters.User);
    }

    [Fact]
    public void Parse_EmptyValue_IsKept()
    {
        StartupParameters parameters = StartupMessage.Parse(Payload.Of(b => b.Int32(Protocol30).CString("application_name").CString("").Byte(0)), out _);

        Assert.Equal("", parameters["application_name"]);
    }

    [Fact]
    public void Parse_BytesAfterTheTerminatingEmptyName_IsViolation()
    {
        byte[] packet = Payload.Of(b => b.Int32(Protocol30).CString("user").CString("u").Byte(0).CString("password").CString(Payload.Marker));

        Payload.Violation(() => StartupMessage.Parse(packet, out _));
    }

    [Theory]
    [InlineData("user")]
    [InlineData("password")]
    [InlineData("options")]
    public void Parse_DuplicateName_IsViolation(string name)
    {
        byte[] packet = Packet(Pg.Build().Startup(("user", "agent-1"), (name, Payload.Marker), (name, Payload.Marker + "2")));

        Payload.Violation(() => StartupMessage.Parse(packet, out _));
    }

    [Fact]
    public void Parse_NamesDifferingOnlyInCase_AreDistinct()
    {
        StartupParameters parameters = StartupMessage.Parse(Packet(Pg.Build().Startup(("user", "a"), ("USER", "b"))), out _);

        Assert.Equal("a", parameters.User);
        Assert.Equal("b", parameters["USER"]);
    }

    [Fact]
    public void Parse_NameWithoutValue_IsViolation()
    {
        byte[] packet = Payload.Of(b => b.Int32(Protocol30).CString("user").CString(Payload.Marker).CString("database"));

        Payload.Violation(() => StartupMessage.Parse(packet, out _));
    }

    [Fact]
    public void Parse_NoTerminatingEmptyName_IsViolation()
    {
        byte[] packet = Payload.Of(b => b.Int32(Protocol30).CString("user").CString(Payload.Marker));

        Payload.Violation(() => StartupMessage.Parse(packet, out _));
    }

    [Fact]
    public void Parse_ValueWithoutNul_IsViolation()
    {
        byte[] packet = Payload.Of(b => b.Int32(Protocol30).CString("user").Bytes(Payload.Ascii(Payload.Marker)));

        Payload.Violation(() => StartupMessage.Parse(packet, out _));
    }

    [Fact]
    public void Parse_NoVersion_IsViolation()
    {
        Payload.Violation(() => StartupMessage.Parse([0, 3, 0], out _));
    }

    [Theory]
    [InlineData(new byte[] { 0xFF })]
    [InlineData(new byte[] { 0xC3, 0x28 })]
    [InlineData(new byte[] { 0xE2, 0x82 })]
    [InlineData(new byte[] { 0xED, 0xA0, 0x80 })] // an encoded UTF-16 surrogate
    [InlineData(new byte[] { 0xC0, 0xAF })] // overlong '/'
    public void Parse_NonUtf8NameOrValue_IsViolation(byte[] invalid)
    {
        byte[] inValue = Payload.Of(b => b.Int32(Protocol30).CString("user").Bytes(Payload.Ascii(Payload.Marker)).Bytes(invalid).Byte(0).Byte(0));
        byte[] inName = Payload.Of(b => b.Int32(Protocol30).Bytes(Payload.Ascii(Payload.Marker)).Bytes(invalid).Byte(0).CString("x").Byte(0));

        Payload.Violation(() => StartupMessage.Parse(inValue, out _));
        Payload.Violation(() => StartupMessage.Parse(inName, out _));
    }

    [Fact]
    public void Parse_TwoHundredParameters_ReturnsAll()
    {
        var parameters = Enumerable.Range(0, 200).Select(i => ($"p{i}", $"v{i}")).ToArray();

        StartupParameters parsed = StartupMessage.Parse(Packet(Pg.Build().Startup(parameters)), out _);

        Assert.Equal(200, parsed.All.Count);
        Assert.Equal("v199", parsed["p199"]);
    }

    /// <summary>The packet as the frame reader hands it over: everything after the length field.</summary>
    private static byte[] Packet(Pg startup) => startup.PacketBytes();
}
