using System.Buffers;
using Gateway.Core.Internal;
using Gateway.Core.Protocol.Postgres.Messages;

namespace Gateway.Core.Protocol.Postgres;

/// <summary>
/// Writes the messages the gateway itself originates. Lengths are computed first, written in the header, and checked
/// against the bytes actually written: a writer that could emit a wrong length would let a payload's tail be read as
/// new messages (the Npgsql CVE-2024-32655 class).
/// </summary>
internal static class PgMessageWriter
{
    private const int SaslMechanismListLength = 15; // "SCRAM-SHA-256\0" + final "\0"

    public static void WriteErrorResponse(IBufferWriter<byte> output, string severity, string sqlState, string message)
        => WriteFieldMessage(output, (byte)BackendCode.ErrorResponse, severity, sqlState, message);

    public static void WriteNoticeResponse(IBufferWriter<byte> output, string severity, string sqlState, string message)
        => WriteFieldMessage(output, (byte)BackendCode.NoticeResponse, severity, sqlState, message);

    public static void WriteAuthenticationOk(IBufferWriter<byte> output)
        => WriteAuthentication(output, AuthenticationRequest.Ok, default);

    public static void WriteAuthenticationSasl(IBufferWriter<byte> output)
    {
        Span<byte> mechanisms = stackalloc byte[SaslMechanismListLength];
        "SCRAM-SHA-256"u8.CopyTo(mechanisms);
        mechanisms[13] = 0;
        mechanisms[14] = 0;
        WriteAuthentication(output, AuthenticationRequest.Sasl, mechanisms);
    }

    public static void WriteAuthentication(IBufferWriter<byte> output, int kind, ReadOnlySpan<byte> data)
    {
        var writer = Begin(output, (byte)BackendCode.Authentication, 4 + data.Length, out Span<byte> span);
        writer.WriteInt32(kind);
        writer.WriteBytes(data);
        Commit(output, ref writer, span);
    }

    public static void WriteBackendKeyData(IBufferWriter<byte> output, CancelKey key)
    {
        var writer = Begin(output, (byte)BackendCode.BackendKeyData, 8, out Span<byte> span);
        writer.WriteInt32(key.ProcessId);
        writer.WriteInt32(key.SecretKey);
        Commit(output, ref writer, span);
    }

    public static void WriteReadyForQuery(IBufferWriter<byte> output, byte status)
    {
        var writer = Begin(output, (byte)BackendCode.ReadyForQuery, 1, out Span<byte> span);
        writer.WriteByte(status);
        Commit(output, ref writer, span);
    }

    public static void WriteParameterStatus(IBufferWriter<byte> output, string name, string value)
    {
        var writer = Begin(output, (byte)BackendCode.ParameterStatus,
            PgSpanWriter.CStringLength(name) + PgSpanWriter.CStringLength(value), out Span<byte> span);
        writer.WriteCString(name);
        writer.WriteCString(value);
        Commit(output, ref writer, span);
    }

    /// <summary>NegotiateProtocolVersion: the newest 3.x minor version we speak and the options we ignored.</summary>
    public static void WriteNegotiateProtocolVersion(IBufferWriter<byte> output, int protocolVersion, IReadOnlyList<string> unrecognizedOptions)
    {
        int length = 8;
        foreach (string option in unrecognizedOptions)
        {
            length = checked(length + PgSpanWriter.CStringLength(option));
        }

        var writer = Begin(output, (byte)BackendCode.NegotiateProtocolVersion, length, out Span<byte> span);
        writer.WriteInt32(protocolVersion);
        writer.WriteInt32(unrecognizedOptions.Count);
        foreach (string option in unrecognizedOptions)
        {
            writer.WriteCString(option);
        }

        Commit(output, ref writer, span);
    }

    public static void WriteStartupMessage(IBufferWriter<byte> output, IReadOnlyList<KeyValuePair<string, string>> parameters)
    {
        int length = 4 + 4 + 1;
        foreach (KeyValuePair<string, string> parameter in parameters)
        {
            length = checked(length + PgSpanWriter.CStringLength(parameter.Key) + PgSpanWriter.CStringLength(parameter.Value));
        }

        var writer = BeginUntyped(output, length, out Span<byte> span);
        writer.WriteInt32(StartupRequestCode.Protocol30);
        foreach (KeyValuePair<string, string> parameter in parameters)
        {
            writer.WriteCString(parameter.Key);
            writer.WriteCString(parameter.Value);
        }

        writer.WriteByte(0);
        Commit(output, ref writer, span);
    }

    public static void WriteSslRequest(IBufferWriter<byte> output)
    {
        var writer = BeginUntyped(output, 8, out Span<byte> span);
        writer.WriteInt32(StartupRequestCode.SslRequest);
        Commit(output, ref writer, span);
    }

    public static void WriteCancelRequest(IBufferWriter<byte> output, CancelKey key)
    {
        var writer = BeginUntyped(output, CancelRequest.PacketLength, out Span<byte> span);
        writer.WriteInt32(StartupRequestCode.CancelRequest);
        writer.WriteInt32(key.ProcessId);
        writer.WriteInt32(key.SecretKey);
        Commit(output, ref writer, span);
    }

    public static void WriteSaslInitialResponse(IBufferWriter<byte> output, ReadOnlySpan<byte> mechanism, ReadOnlySpan<byte> data)
    {
        var writer = Begin(output, (byte)FrontendCode.Password, mechanism.Length + 1 + 4 + data.Length, out Span<byte> span);
        writer.WriteCString(mechanism);
        writer.WriteInt32(data.Length);
        writer.WriteBytes(data);
        Commit(output, ref writer, span);
    }

    /// <summary>SASLResponse and PasswordMessage: code 'p' and the data as given (a password includes its NUL).</summary>
    public static void WritePasswordMessage(IBufferWriter<byte> output, ReadOnlySpan<byte> data)
    {
        var writer = Begin(output, (byte)FrontendCode.Password, data.Length, out Span<byte> span);
        writer.WriteBytes(data);
        Commit(output, ref writer, span);
    }

    /// <summary>Writes a message from its code and an already validated payload.</summary>
    public static void WriteRaw(IBufferWriter<byte> output, byte code, ReadOnlySpan<byte> payload)
    {
        var writer = Begin(output, code, payload.Length, out Span<byte> span);
        writer.WriteBytes(payload);
        Commit(output, ref writer, span);
    }

    public static void WriteTerminate(IBufferWriter<byte> output)
    {
        var writer = Begin(output, (byte)FrontendCode.Terminate, 0, out Span<byte> span);
        Commit(output, ref writer, span);
    }

    /// <summary>
    /// An ErrorResponse or NoticeResponse (<paramref name="code"/>) of severity, SQLSTATE and message from bytes already
    /// in hand, none holding a NUL (fields parsed from the server's own message).
    /// </summary>
    public static void WriteFieldMessage(IBufferWriter<byte> output, byte code, ReadOnlySpan<byte> severity, ReadOnlySpan<byte> sqlState, ReadOnlySpan<byte> message)
    {
        int length = checked(1 + severity.Length + 1 + 1 + severity.Length + 1 + 1 + sqlState.Length + 1 + 1 + message.Length + 1 + 1);
        var writer = Begin(output, code, length, out Span<byte> span);
        writer.WriteByte(ErrorResponse.SeverityLocalized);
        writer.WriteCString(severity);
        writer.WriteByte(ErrorResponse.Severity);
        writer.WriteCString(severity);
        writer.WriteByte(ErrorResponse.Code);
        writer.WriteCString(sqlState);
        writer.WriteByte(ErrorResponse.Message);
        writer.WriteCString(message);
        writer.WriteByte(0);
        Commit(output, ref writer, span);
    }

    private static void WriteFieldMessage(IBufferWriter<byte> output, byte code, string severity, string sqlState, string message)
    {
        int length = checked(1 + PgSpanWriter.CStringLength(severity) + 1 + PgSpanWriter.CStringLength(severity)
            + 1 + PgSpanWriter.CStringLength(sqlState) + 1 + PgSpanWriter.CStringLength(message) + 1);
        var writer = Begin(output, code, length, out Span<byte> span);
        writer.WriteByte(ErrorResponse.SeverityLocalized);
        writer.WriteCString(severity);
        writer.WriteByte(ErrorResponse.Severity);
        writer.WriteCString(severity);
        writer.WriteByte(ErrorResponse.Code);
        writer.WriteCString(sqlState);
        writer.WriteByte(ErrorResponse.Message);
        writer.WriteCString(message);
        writer.WriteByte(0);
        Commit(output, ref writer, span);
    }

    private static PgSpanWriter Begin(IBufferWriter<byte> output, byte code, int bodyLength, out Span<byte> span)
    {
        long total = 5L + bodyLength;
        if (bodyLength < 0 || total > int.MaxValue)
        {
            ThrowHelper.ThrowMessageTooLargeToWrite(total);
        }

        span = output.GetSpan((int)total).Slice(0, (int)total);
        var writer = new PgSpanWriter(span);
        writer.WriteByte(code);
        writer.WriteInt32(bodyLength + 4);
        return writer;
    }

    private static PgSpanWriter BeginUntyped(IBufferWriter<byte> output, int packetLength, out Span<byte> span)
    {
        span = output.GetSpan(packetLength).Slice(0, packetLength);
        var writer = new PgSpanWriter(span);
        writer.WriteInt32(packetLength);
        return writer;
    }

    private static void Commit(IBufferWriter<byte> output, ref PgSpanWriter writer, Span<byte> span)
    {
        if (writer.Position != span.Length)
        {
            throw new InvalidOperationException($"wrote {writer.Position} bytes of a {span.Length}-byte message");
        }

        output.Advance(span.Length);
    }
}
