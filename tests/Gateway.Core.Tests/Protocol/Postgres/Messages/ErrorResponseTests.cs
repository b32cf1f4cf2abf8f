using System.Diagnostics;
using Gateway.Core.Protocol.Postgres.Messages;
using Gateway.Testing;

namespace Gateway.Core.Tests.Protocol.Postgres.Messages;

/// <summary>PROTO-08 for ErrorResponse and NoticeResponse, which share one layout (CVE-2026-6666 class).</summary>
public sealed class ErrorResponseTests
{
    [Fact]
    public void Parse_ServerError_ReturnsSeverityAndSqlState()
    {
        byte[] payload = Pg.Build().ErrorResponse("ERROR", "23505", "duplicate key", ('D', "Key (email)=(" + Payload.Marker + ")")).PayloadBytes();

        ErrorResponse.Parse(payload, out ReadOnlySpan<byte> severity, out ReadOnlySpan<byte> sqlState);

        Assert.Equal("ERROR"u8.ToArray(), severity.ToArray());
        Assert.Equal("23505"u8.ToArray(), sqlState.ToArray());
    }

    [Fact]
    public void Parse_Notice_ReturnsSeverityAndSqlState()
    {
        byte[] payload = Pg.Build().NoticeResponse("NOTICE", "00000", "hello").PayloadBytes();

        ErrorResponse.Parse(payload, out ReadOnlySpan<byte> severity, out ReadOnlySpan<byte> sqlState);

        Assert.Equal("NOTICE"u8.ToArray(), severity.ToArray());
        Assert.Equal("00000"u8.ToArray(), sqlState.ToArray());
    }

    [Fact]
    public void Parse_LocalizedAndPlainSeverity_PrefersThePlainOne()
    {
        byte[] payload = Payload.Of(b => b.Byte((byte)'S').CString("FEHLER").Byte((byte)'C').CString("42P01").Byte((byte)'V').CString("ERROR").Byte(0));

        ErrorResponse.Parse(payload, out ReadOnlySpan<byte> severity, out _);

        Assert.Equal("ERROR"u8.ToArray(), severity.ToArray());
    }

    [Fact]
    public void Parse_OnlyLocalizedSeverity_FallsBackToIt()
    {
        byte[] payload = Payload.Of(b => b.Byte((byte)'S').CString("FATAL").Byte((byte)'C').CString("28P01").Byte(0));

        ErrorResponse.Parse(payload, out ReadOnlySpan<byte> severity, out _);

        Assert.Equal("FATAL"u8.ToArray(), severity.ToArray());
    }

    [Fact]
    public void Parse_NoSqlState_IsViolation()
    {
        byte[] payload = Payload.Of(b => b.Byte((byte)'S').CString("ERROR").Byte((byte)'V').CString("ERROR").Byte((byte)'M').CString(Payload.Marker).Byte(0));

        var violation = Payload.Violation(() => ErrorResponse.Parse(payload, out _, out _));

        Assert.Contains("SQLSTATE", violation.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("2350")]
    [InlineData("235050")]
    [InlineData("2350a")]
    [InlineData("23 50")]
    [InlineData("23\n50")]
    public void Parse_SqlStateNotFiveCharacters_IsViolation(string sqlState)
        => Payload.Violation(() => ErrorResponse.Parse(Payload.Of(b => b.Byte((byte)'V').CString("ERROR").Byte((byte)'C').CString(sqlState).Byte((byte)'M').CString(Payload.Marker).Byte(0)), out _, out _));

    [Fact]
    public void Parse_NoTerminatingZero_IsViolation()
        => Payload.Violation(() => ErrorResponse.Parse(Payload.Of(b => b.Byte((byte)'V').CString("ERROR").Byte((byte)'C').CString("XX000").Byte((byte)'M').CString(Payload.Marker)), out _, out _));

    [Fact]
    public void Parse_FieldWithoutNul_IsViolation()
        => Payload.Violation(() => ErrorResponse.Parse(Payload.Of(b => b.Byte((byte)'C').CString("XX000").Byte((byte)'M').Bytes(Payload.Ascii(Payload.Marker))), out _, out _));

    [Fact]
    public void Parse_EmptyPayload_IsViolation()
        => Payload.Violation(() => ErrorResponse.Parse([], out _, out _));

    [Fact]
    public void Parse_BytesAfterTheTerminatingZero_IsViolation()
        => Payload.Violation(() => ErrorResponse.Parse(Payload.Of(b => b.Byte((byte)'C').CString("XX000").Byte(0).Byte((byte)'M').CString(Payload.Marker).Byte(0)), out _, out _));

    [Fact]
    public void Parse_HundredThousandFields_ParsesInLinearTime()
    {
        byte[] payload = Payload.Of(b =>
        {
            b.Byte((byte)'V').CString("ERROR");
            for (int i = 0; i < 100_000; i++)
            {
                b.Byte((byte)'D').CString("x");
            }

            b.Byte((byte)'C').CString("54000").Byte(0);
        });

        var stopwatch = Stopwatch.StartNew();
        ErrorResponse.Parse(payload, out ReadOnlySpan<byte> severity, out ReadOnlySpan<byte> sqlState);
        stopwatch.Stop();

        Assert.Equal("ERROR"u8.ToArray(), severity.ToArray());
        Assert.Equal("54000"u8.ToArray(), sqlState.ToArray());
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(2), $"took {stopwatch.Elapsed}");
    }

    [Fact]
    public void Parse_HundredThousandFieldsWithoutSqlState_IsViolation()
    {
        byte[] payload = Payload.Of(b =>
        {
            for (int i = 0; i < 100_000; i++)
            {
                b.Byte((byte)'M').CString(Payload.Marker);
            }

            b.Byte(0);
        });

        Payload.Violation(() => ErrorResponse.Parse(payload, out _, out _));
    }

    [Theory]
    [InlineData("FATAL", true)]
    [InlineData("PANIC", true)]
    [InlineData("ERROR", false)]
    [InlineData("WARNING", false)]
    [InlineData("NOTICE", false)]
    [InlineData("fatal", false)]
    [InlineData("FATAL ", false)]
    [InlineData("", false)]
    public void IsFatal_Severity_TrueOnlyForFatalAndPanic(string severity, bool fatal)
        => Assert.Equal(fatal, ErrorResponse.IsFatal(Payload.Ascii(severity)));
}
