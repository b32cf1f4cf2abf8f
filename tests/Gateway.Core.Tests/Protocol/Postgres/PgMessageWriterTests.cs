using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Gateway.Core.Protocol.Postgres;
using Gateway.Core.Protocol.Postgres.Messages;
using Gateway.Testing;

namespace Gateway.Core.Tests.Protocol.Postgres;

/// <summary>
/// What the gateway writes must match the protocol byte for byte (compared with <see cref="Pg"/> fixtures) and must read
/// back through the same frame reader and parser the other peer's messages go through.
/// </summary>
public sealed class PgMessageWriterTests
{
    private const int MaxMessageSize = FrameAssert.MaxMessageSize;

    [Theory]
    [InlineData("FATAL", "28P01", "password authentication failed for user \"agent-1\"")]
    [InlineData("ERROR", "08P01", "invalid message from the client: message 'Q' declares length 3")]
    [InlineData("FATAL", "57P01", "Zürich ✓ — terminating connection")]
    public void WriteErrorResponse_Fields_MatchesFixtureAndParsesBack(string severity, string sqlState, string message)
    {
        byte[] written = Write(output => PgMessageWriter.WriteErrorResponse(output, severity, sqlState, message));

        Assert.Equal(Pg.Build().ErrorResponse(severity, sqlState, message).ToArray(), written);
        byte[] payload = ReadSingleFrame(written, PgSide.Backend, BackendCode.ErrorResponse);
        ErrorResponse.Parse(payload, out ReadOnlySpan<byte> parsedSeverity, out ReadOnlySpan<byte> parsedState);
        Assert.Equal(severity, System.Text.Encoding.UTF8.GetString(parsedSeverity));
        Assert.Equal(sqlState, System.Text.Encoding.UTF8.GetString(parsedState));
        Assert.Equal(ErrorResponse.IsFatal(parsedSeverity), severity == "FATAL");
    }

    [Fact]
    public void WriteErrorResponse_MessageWithEmbeddedNul_CannotAddFields()
    {
        byte[] written = Write(output => PgMessageWriter.WriteErrorResponse(output, "FATAL", "57P01", "grant expired\0C00000\0Mforged"));

        byte[] payload = ReadSingleFrame(written, PgSide.Backend, BackendCode.ErrorResponse);
        ErrorResponse.Parse(payload, out _, out ReadOnlySpan<byte> sqlState);
        Assert.Equal("57P01", System.Text.Encoding.ASCII.GetString(sqlState));
        Assert.Equal(4, payload.Count(b => b == 0) - 1);
        Assert.Contains("grant expired C00000 Mforged", System.Text.Encoding.UTF8.GetString(payload), StringComparison.Ordinal);
    }

    [Fact]
    public void WriteNoticeResponse_Fields_MatchesFixtureAndParsesBack()
    {
        byte[] written = Write(output => PgMessageWriter.WriteNoticeResponse(output, "WARNING", "01000", "access expires in 5 minutes"));

        Assert.Equal(Pg.Build().NoticeResponse("WARNING", "01000", "access expires in 5 minutes").ToArray(), written);
        ErrorResponse.Parse(ReadSingleFrame(written, PgSide.Backend, BackendCode.NoticeResponse), out ReadOnlySpan<byte> severity, out ReadOnlySpan<byte> sqlState);
        Assert.Equal("WARNING"u8.ToArray(), severity.ToArray());
        Assert.Equal("01000"u8.ToArray(), sqlState.ToArray());
    }

    [Fact]
    public void WriteAuthenticationOk_NoArguments_MatchesFixtureAndParsesBack()
    {
        byte[] written = Write(PgMessageWriter.WriteAuthenticationOk);

        Assert.Equal(Pg.Build().AuthenticationOk().ToArray(), written);
        Assert.Equal(AuthenticationRequest.Ok, AuthenticationRequest.Parse(ReadSingleFrame(written, PgSide.Backend, BackendCode.Authentication), out _));
    }

    [Fact]
    public void WriteAuthenticationSasl_OffersScramSha256Only_MatchesFixtureAndParsesBack()
    {
        byte[] written = Write(PgMessageWriter.WriteAuthenticationSasl);

        Assert.Equal(Pg.Build().AuthenticationSasl("SCRAM-SHA-256").ToArray(), written);
        int kind = AuthenticationRequest.Parse(ReadSingleFrame(written, PgSide.Backend, BackendCode.Authentication), out ReadOnlySpan<byte> mechanisms);
        Assert.Equal(AuthenticationRequest.Sasl, kind);
        Assert.True(AuthenticationRequest.OffersMechanism(mechanisms, "SCRAM-SHA-256"u8));
        Assert.False(AuthenticationRequest.OffersMechanism(mechanisms, "SCRAM-SHA-256-PLUS"u8));
    }

    [Theory]
    [InlineData(11, "r=abc,s=c2FsdA==,i=4096")]
    [InlineData(12, "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=")]
    public void WriteAuthentication_SaslContinueAndFinal_MatchFixtureAndParseBack(int kind, string data)
    {
        byte[] written = Write(output => PgMessageWriter.WriteAuthentication(output, kind, System.Text.Encoding.ASCII.GetBytes(data)));

        byte[] expected = kind == 11 ? Pg.Build().AuthenticationSaslContinue(data).ToArray() : Pg.Build().AuthenticationSaslFinal(data).ToArray();
        Assert.Equal(expected, written);
        Assert.Equal(kind, AuthenticationRequest.Parse(ReadSingleFrame(written, PgSide.Backend, BackendCode.Authentication), out ReadOnlySpan<byte> parsed));
        Assert.Equal(data, System.Text.Encoding.ASCII.GetString(parsed));
    }

    [Theory]
    [InlineData(1, 2)]
    [InlineData(int.MaxValue, int.MinValue)]
    [InlineData(0x12345678, unchecked((int)0xDEADBEEF))]
    public void WriteBackendKeyData_Key_MatchesFixtureAndParsesBack(int processId, int secretKey)
    {
        byte[] written = Write(output => PgMessageWriter.WriteBackendKeyData(output, new CancelKey(processId, secretKey)));

        Assert.Equal(Pg.Build().BackendKeyData(processId, secretKey).ToArray(), written);
        Assert.Equal(new CancelKey(processId, secretKey), BackendKeyData.Parse(ReadSingleFrame(written, PgSide.Backend, BackendCode.BackendKeyData)));
    }

    [Theory]
    [InlineData('I')]
    [InlineData('T')]
    [InlineData('E')]
    public void WriteReadyForQuery_Status_MatchesFixtureAndParsesBack(char status)
    {
        byte[] written = Write(output => PgMessageWriter.WriteReadyForQuery(output, (byte)status));

        Assert.Equal(Pg.Build().ReadyForQuery(status).ToArray(), written);
        Assert.Equal((byte)status, ReadyForQuery.Parse(ReadSingleFrame(written, PgSide.Backend, BackendCode.ReadyForQuery)));
    }

    [Theory]
    [InlineData("session_authorization", "agent-1")]
    [InlineData("TimeZone", "Europe/Zürich")]
    [InlineData("application_name", "")]
    public void WriteParameterStatus_NameAndValue_MatchesFixtureAndParsesBack(string name, string value)
    {
        byte[] written = Write(output => PgMessageWriter.WriteParameterStatus(output, name, value));

        Assert.Equal(Pg.Build().ParameterStatus(name, value).ToArray(), written);
        Assert.Equal(new KeyValuePair<string, string>(name, value), ParameterStatus.Parse(ReadSingleFrame(written, PgSide.Backend, BackendCode.ParameterStatus)));
    }

    [Theory]
    [InlineData("")]
    [InlineData("_pq_.compression")]
    [InlineData("_pq_.a _pq_.b _pq_.ü")]
    public void WriteNegotiateProtocolVersion_Options_MatchesFixtureAndParsesBack(string optionList)
    {
        string[] options = optionList.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        byte[] written = Write(output => PgMessageWriter.WriteNegotiateProtocolVersion(output, StartupRequestCode.Protocol30, options));

        Assert.Equal(Pg.Build().NegotiateProtocolVersion(0, options).ToArray(), written);
        int version = NegotiateProtocolVersion.Parse(ReadSingleFrame(written, PgSide.Backend, BackendCode.NegotiateProtocolVersion), out int count);
        Assert.Equal(3 << 16, version);
        Assert.Equal(options.Length, count);
    }

    [Fact]
    public void WriteStartupMessage_Parameters_MatchesFixtureAndParsesBack()
    {
        KeyValuePair<string, string>[] parameters = [new("user", "app"), new("database", "shop"), new("application_name", "psql ✓")];

        byte[] written = Write(output => PgMessageWriter.WriteStartupMessage(output, parameters));

        Assert.Equal(Pg.Build().Startup(("user", "app"), ("database", "shop"), ("application_name", "psql ✓")).ToArray(), written);
        StartupParameters parsed = StartupMessage.Parse(ReadStartupPacket(written), out int version);
        Assert.Equal(StartupRequestCode.Protocol30, version);
        Assert.Equal(parameters, parsed.All);
    }

    [Fact]
    public void WriteStartupMessage_NoParameters_MatchesFixture()
        => Assert.Equal(Pg.Build().Startup().ToArray(), Write(output => PgMessageWriter.WriteStartupMessage(output, [])));

    [Fact]
    public void WriteSslRequest_NoArguments_MatchesFixtureAndParsesBack()
    {
        byte[] written = Write(PgMessageWriter.WriteSslRequest);

        Assert.Equal(Pg.Build().SslRequest().ToArray(), written);
        Assert.Equal(Pg.Build().SslRequest().PacketBytes(), ReadStartupPacket(written));
    }

    [Theory]
    [InlineData(4242, 1)]
    [InlineData(int.MaxValue, int.MinValue)]
    public void WriteCancelRequest_Key_MatchesFixtureAndParsesBack(int processId, int secretKey)
    {
        byte[] written = Write(output => PgMessageWriter.WriteCancelRequest(output, new CancelKey(processId, secretKey)));

        Assert.Equal(Pg.Build().CancelRequest(processId, secretKey).ToArray(), written);
        Assert.Equal(new CancelKey(processId, secretKey), CancelRequest.Parse(ReadStartupPacket(written)));
    }

    [Fact]
    public void WriteSaslInitialResponse_MechanismAndData_MatchesFixtureAndParsesBack()
    {
        byte[] clientFirst = "n,,n=,r=rOprNGfwEbeRWgbNEkqO"u8.ToArray();

        byte[] written = Write(output => PgMessageWriter.WriteSaslInitialResponse(output, "SCRAM-SHA-256"u8, clientFirst));

        Assert.Equal(Pg.Build().SaslInitialResponse("SCRAM-SHA-256", clientFirst).ToArray(), written);
        ReadOnlySpan<byte> data = SaslInitialResponse.Parse(ReadSingleFrame(written, PgSide.Frontend, FrontendCode.Password), out ReadOnlySpan<byte> mechanism);
        Assert.Equal("SCRAM-SHA-256"u8.ToArray(), mechanism.ToArray());
        Assert.Equal(clientFirst, data.ToArray());
    }

    [Fact]
    public void WritePasswordMessage_Data_MatchesFixtureAndParsesBack()
    {
        byte[] written = Write(output => PgMessageWriter.WritePasswordMessage(output, "md54376eb6913b38f9aaff38dc7cf19ca76\0"u8));

        Assert.Equal(Pg.Build().PasswordMessage("md54376eb6913b38f9aaff38dc7cf19ca76").ToArray(), written);
        Assert.Equal("md54376eb6913b38f9aaff38dc7cf19ca76\0"u8.ToArray(), ReadSingleFrame(written, PgSide.Frontend, FrontendCode.Password));
    }

    [Fact]
    public void WriteTerminate_NoArguments_MatchesFixtureAndParsesBack()
    {
        byte[] written = Write(PgMessageWriter.WriteTerminate);

        Assert.Equal(Pg.Build().Terminate().ToArray(), written);
        Assert.Empty(ReadSingleFrame(written, PgSide.Frontend, FrontendCode.Terminate));
    }

    [Theory]
    [InlineData("DataRow")]
    [InlineData("RowDescription")]
    [InlineData("ErrorResponse")]
    [InlineData("CommandComplete SELECT")]
    [InlineData("BindComplete")]
    public void WriteRaw_BackendPayload_ReproducesTheMessage(string name)
    {
        WireFixture fixture = WireFixtures.Backend[name];

        byte[] written = Write(output => PgMessageWriter.WriteRaw(output, fixture.Code, fixture.Payload));

        Assert.Equal(fixture.Bytes, written);
    }

    [Fact]
    public void Writers_SeveralMessagesIntoOneOutput_ReadBackInOrder()
    {
        var output = new ArrayBufferWriter<byte>(1);
        PgMessageWriter.WriteAuthentication(output, AuthenticationRequest.SaslFinal, "v=x"u8);
        PgMessageWriter.WriteAuthenticationOk(output);
        PgMessageWriter.WriteParameterStatus(output, "server_version", "15.18");
        PgMessageWriter.WriteBackendKeyData(output, new CancelKey(7, 8));
        PgMessageWriter.WriteReadyForQuery(output, (byte)'I');

        byte[] expected = Pg.Build().AuthenticationSaslFinal("v=x").AuthenticationOk().ParameterStatus("server_version", "15.18")
            .BackendKeyData(7, 8).ReadyForQuery('I').ToArray();
        Assert.Equal(expected, output.WrittenSpan.ToArray());
        var buffer = new ReadOnlySequence<byte>(output.WrittenMemory);
        var codes = new List<byte>();
        while (PgFrameReader.TryReadFrame(ref buffer, PgSide.Backend, MaxMessageSize, out byte code, out _))
        {
            codes.Add(code);
        }

        Assert.Equal("RRSKZ"u8.ToArray(), codes);
        Assert.True(buffer.IsEmpty);
    }

    [Theory]
    [InlineData(int.MaxValue)]
    [InlineData(int.MaxValue - 3)]
    [InlineData(int.MaxValue - 4)]
    public void WriteAuthentication_BodyBeyondInt32_ThrowsInsteadOfWritingATruncatedLength(int dataLength)
    {
        // Never read: the writer must refuse from the length alone (Npgsql CVE-2024-32655 class).
        var output = new ArrayBufferWriter<byte>();

        Assert.Throws<InvalidOperationException>(() => PgMessageWriter.WriteAuthentication(output, AuthenticationRequest.SaslFinal, Unread(dataLength)));
        Assert.Equal(0, output.WrittenCount);
    }

    [Theory]
    [InlineData(int.MaxValue)]
    [InlineData(int.MaxValue - 4)]
    public void WriteRawAndPasswordMessage_BodyBeyondInt32_ThrowInsteadOfWritingATruncatedLength(int dataLength)
    {
        var output = new ArrayBufferWriter<byte>();

        Assert.Throws<InvalidOperationException>(() => PgMessageWriter.WriteRaw(output, (byte)'D', Unread(dataLength)));
        Assert.Throws<InvalidOperationException>(() => PgMessageWriter.WritePasswordMessage(output, Unread(dataLength)));
        Assert.Throws<InvalidOperationException>(() => PgMessageWriter.WriteSaslInitialResponse(output, "SCRAM-SHA-256"u8, Unread(dataLength)));
        Assert.Equal(0, output.WrittenCount);
    }

    private static byte[] Write(Action<IBufferWriter<byte>> write)
    {
        var output = new ArrayBufferWriter<byte>(1);
        write(output);
        return output.WrittenSpan.ToArray();
    }

    private static byte[] ReadSingleFrame<TCode>(byte[] written, PgSide side, TCode expectedCode)
        where TCode : struct, Enum
    {
        var buffer = new ReadOnlySequence<byte>(written);
        Assert.True(PgFrameReader.TryReadFrame(ref buffer, side, MaxMessageSize, out byte code, out ReadOnlySequence<byte> payload));
        Assert.Equal(Convert.ToByte(expectedCode, System.Globalization.CultureInfo.InvariantCulture), code);
        Assert.True(buffer.IsEmpty);
        return payload.ToArray();
    }

    private static byte[] ReadStartupPacket(byte[] written)
    {
        var buffer = new ReadOnlySequence<byte>(written);
        Assert.True(PgFrameReader.TryReadStartupPacket(ref buffer, out ReadOnlySequence<byte> packet));
        Assert.True(buffer.IsEmpty);
        return packet.ToArray();
    }

    /// <summary>A span of the given length over no memory; valid only for code that rejects it by length before reading.</summary>
    private static ReadOnlySpan<byte> Unread(int length) => MemoryMarshal.CreateReadOnlySpan(ref Unsafe.NullRef<byte>(), length);
}
