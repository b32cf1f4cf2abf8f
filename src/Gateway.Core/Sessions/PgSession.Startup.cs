using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using System.Net.Security;
using Gateway.Core.Diagnostics;
using Gateway.Core.Protocol.Postgres;
using Gateway.Core.Protocol.Postgres.Messages;
using Gateway.Core.Transport;

namespace Gateway.Core.Sessions;

/// <summary>The startup phase: SSLRequest, GSSENCRequest, CancelRequest and the StartupMessage.</summary>
public sealed partial class PgSession
{
    private const byte TlsHandshakeRecord = 0x16;

    /// <summary>
    /// Reads startup packets until a StartupMessage arrives. Returns null when the connection was a CancelRequest
    /// (the close reason is then set).
    /// </summary>
    private async ValueTask<PgStartupContext?> ReadStartupAsync(CancellationToken cancellationToken)
    {
        bool sslRequested = false;
        bool gssRequested = false;
        while (true)
        {
            (byte[] packet, long trailing) = await ReadStartupPacketAsync(cancellationToken).ConfigureAwait(false);
            int code = BinaryPrimitives.ReadInt32BigEndian(packet);
            switch (code)
            {
                case StartupRequestCode.SslRequest:
                    if (sslRequested)
                    {
                        throw Violation("SSLRequest sent twice");
                    }

                    sslRequested = true;
                    if (trailing > 0)
                    {
                        // CVE-2021-23214: bytes sent before the handshake would later be read as if they had been
                        // encrypted. PostgreSQL refuses them whatever it answers; so do we.
                        throw Violation("received unencrypted data after SSL request");
                    }

                    if (_listener.Tls is null)
                    {
                        await WriteClientByteAsync((byte)'N', cancellationToken).ConfigureAwait(false);
                        continue;
                    }

                    await WriteClientByteAsync((byte)'S', cancellationToken).ConfigureAwait(false);
                    await UpgradeClientToTlsAsync(cancellationToken).ConfigureAwait(false);
                    continue;

                case StartupRequestCode.GssEncRequest:
                    if (sslRequested || gssRequested)
                    {
                        throw Violation("GSSENCRequest after an earlier encryption request");
                    }

                    gssRequested = true;
                    if (trailing > 0)
                    {
                        throw Violation("received unencrypted data after GSSAPI encryption request");
                    }

                    await WriteClientByteAsync((byte)'N', cancellationToken).ConfigureAwait(false);
                    continue;

                case StartupRequestCode.CancelRequest:
                    await HandleCancelRequestAsync(CancelRequest.Parse(packet)).ConfigureAwait(false);
                    return null;
            }

            return ReadStartupMessage(packet, code);
        }
    }

    private PgStartupContext ReadStartupMessage(byte[] packet, int protocolVersion)
    {
        int major = protocolVersion >>> 16;
        int minor = protocolVersion & 0xFFFF;
        if (major != 3)
        {
            throw new SessionEndException(CloseReason.UnsupportedProtocol, $"unsupported protocol version {major}.{minor}",
                SqlState.FeatureNotSupported, $"unsupported frontend protocol {major}.{minor}: the gateway supports 3.0");
        }

        StartupParameters parameters = StartupMessage.Parse(packet, out _);
        StartupParameters = parameters;
        var startup = new PgStartupContext(parameters, RemoteEndPoint, IsTls);
        if (_listener.RequireTls && !IsTls)
        {
            throw new SessionEndException(CloseReason.TlsRequired, "client did not negotiate TLS on a listener that requires it",
                SqlState.InvalidAuthorizationSpecification, "the gateway requires TLS: connect with sslmode=require or stronger");
        }

        // Protocol options (_pq_.*) are not implemented: name them in NegotiateProtocolVersion, as PostgreSQL does,
        // and never forward them.
        List<string> unrecognized = [];
        foreach (KeyValuePair<string, string> parameter in parameters.All)
        {
            if (parameter.Key.StartsWith("_pq_.", StringComparison.Ordinal))
            {
                unrecognized.Add(parameter.Key);
            }
        }

        if (minor > 0 || unrecognized.Count > 0)
        {
            PgMessageWriter.WriteNegotiateProtocolVersion(_client.Output, StartupRequestCode.Protocol30, unrecognized);
        }

        return startup;
    }

    private async ValueTask<(byte[] Packet, long Trailing)> ReadStartupPacketAsync(CancellationToken cancellationToken)
    {
        PipeReader input = _client.Input;
        while (true)
        {
            ReadResult result = await input.ReadAsync(cancellationToken).ConfigureAwait(false);
            await LeaveIoThread();
            ReadOnlySequence<byte> buffer = result.Buffer;
            if (!buffer.IsEmpty && buffer.FirstSpan[0] == TlsHandshakeRecord)
            {
                input.AdvanceTo(buffer.Start);
                throw new SessionEndException(CloseReason.UnsupportedProtocol, "client attempted direct TLS negotiation",
                    SqlState.ProtocolViolation, "direct TLS negotiation is not supported: connect with sslnegotiation=postgres");
            }

            if (PgFrameReader.TryReadStartupPacket(ref buffer, out ReadOnlySequence<byte> packet))
            {
                byte[] bytes = packet.ToArray();
                long trailing = buffer.Length;
                input.AdvanceTo(buffer.Start);
                return (bytes, trailing);
            }

            input.AdvanceTo(buffer.Start, buffer.End);
            if (result.IsCompleted)
            {
                throw new SessionEndException(CloseReason.ClientEndOfStream,
                    buffer.IsEmpty ? "client closed the connection before sending a startup packet" : "client closed the connection in the middle of a startup packet");
            }
        }
    }

    private async ValueTask WriteClientByteAsync(byte value, CancellationToken cancellationToken)
    {
        _client.Output.GetSpan(1)[0] = value;
        _client.Output.Advance(1);
        await _client.Output.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask UpgradeClientToTlsAsync(CancellationToken cancellationToken)
    {
        var tls = new SslStream(new DuplexPipeStream(_client), leaveInnerStreamOpen: true);
        try
        {
            await tls.AuthenticateAsServerAsync(_listener.Tls!, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is System.Security.Authentication.AuthenticationException or IOException)
        {
            await tls.DisposeAsync().ConfigureAwait(false);
            Log.TlsHandshakeFailed(_gateway.Logger, RemoteEndPoint, exception.GetType().Name);
            throw new SessionEndException(CloseReason.TlsHandshakeFailed, "TLS handshake failed: " + exception.GetType().Name);
        }

        _clientTls = tls;
        _client = TlsPipes.Create(tls);
    }

    private static SessionEndException Violation(string detail)
        => new(CloseReason.ClientProtocolViolation, detail, SqlState.ProtocolViolation, detail);
}
