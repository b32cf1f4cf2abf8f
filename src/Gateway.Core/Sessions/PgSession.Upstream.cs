using System.Buffers;
using System.IO.Pipelines;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Gateway.Core.Authentication;
using Gateway.Core.Configuration;
using Gateway.Core.Diagnostics;
using Gateway.Core.Protocol.Postgres;
using Gateway.Core.Protocol.Postgres.Messages;
using Gateway.Core.Transport;

namespace Gateway.Core.Sessions;

/// <summary>The upstream login with gateway-held credentials, then the client's AuthenticationOk.</summary>
public sealed partial class PgSession
{
    private readonly List<(byte Code, byte[] Payload)> _upstreamGreeting = [];
    private byte _upstreamReadyStatus;

    private async ValueTask ConnectUpstreamAsync(UpstreamTarget target, StartupParameters clientParameters, CancellationToken cancellationToken)
    {
        Target = target;
        var forwarded = new List<KeyValuePair<string, string>>
        {
            new("user", target.User),
            new("database", target.Database),
        };
        if (!target.StartupParameters.TryFilter(clientParameters, forwarded, out string refusal))
        {
            throw new SessionEndException(CloseReason.StartupParameterRefused, refusal, SqlState.InvalidAuthorizationSpecification, refusal);
        }

        using var timeout = new CancellationTokenSource(Options.UpstreamConnectTimeout, _gateway.TimeProvider);
        using CancellationTokenRegistration link = cancellationToken.Register(static state => ((CancellationTokenSource)state!).Cancel(), timeout);
        try
        {
            _upstreamTransport = await _gateway.UpstreamConnector.ConnectAsync(target, timeout.Token).ConfigureAwait(false);
            _upstream = _upstreamTransport;
            if (target.Tls != UpstreamTlsMode.Disable)
            {
                await UpgradeUpstreamToTlsAsync(target, timeout.Token).ConfigureAwait(false);
            }

            PgMessageWriter.WriteStartupMessage(_upstream.Output, forwarded);
            await _upstream.Output.FlushAsync(timeout.Token).ConfigureAwait(false);
            await LogInUpstreamAsync(target, timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw UpstreamFailed(CloseReason.UpstreamConnectFailed, target, "connecting and logging in took longer than the upstream connect timeout");
        }
        catch (SocketException exception)
        {
            throw UpstreamFailed(CloseReason.UpstreamConnectFailed, target, "socket error " + exception.SocketErrorCode);
        }
        catch (PgProtocolException violation)
        {
            throw UpstreamFailed(CloseReason.ServerProtocolViolation, target, violation.Message);
        }
        catch (Exception exception) when (TransportErrors.IsConnectionError(exception))
        {
            throw UpstreamFailed(CloseReason.UpstreamConnectFailed, target, "connection failed: " + exception.GetType().Name);
        }
    }

    private async ValueTask UpgradeUpstreamToTlsAsync(UpstreamTarget target, CancellationToken cancellationToken)
    {
        (_upstream, _upstreamTls) = await NegotiateUpstreamTlsAsync(_upstream!, target, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>SSLRequest, then a TLS handshake checked as <see cref="UpstreamTarget.Tls"/> demands.</summary>
    private async ValueTask<(IDuplexPipe Pipe, SslStream Tls)> NegotiateUpstreamTlsAsync(IDuplexPipe transport, UpstreamTarget target, CancellationToken cancellationToken)
    {
        PgMessageWriter.WriteSslRequest(transport.Output);
        await transport.Output.FlushAsync(cancellationToken).ConfigureAwait(false);
        ReadResult result = await transport.Input.ReadAsync(cancellationToken).ConfigureAwait(false);
        await LeaveIoThread();
        ReadOnlySequence<byte> buffer = result.Buffer;
        if (buffer.IsEmpty)
        {
            transport.Input.AdvanceTo(buffer.End);
            throw UpstreamFailed(CloseReason.UpstreamConnectFailed, target, "server closed the connection after SSLRequest");
        }

        byte answer = buffer.FirstSpan[0];
        long trailing = buffer.Length - 1;
        transport.Input.AdvanceTo(buffer.GetPosition(1));
        if (answer != (byte)'S')
        {
            // An ErrorResponse here comes from a server that has not proven who it is (CVE-2024-10977): its text is
            // not relayed.
            throw UpstreamFailed(CloseReason.UpstreamConnectFailed, target,
                answer == (byte)'N' ? "server does not accept TLS" : "server answered SSLRequest with an unexpected reply");
        }

        if (trailing > 0)
        {
            // CVE-2021-23222: bytes after 'S' and before the handshake would be read as if they were encrypted.
            throw UpstreamFailed(CloseReason.ServerProtocolViolation, target, "received unencrypted data after the server accepted TLS");
        }

        var tls = new SslStream(new DuplexPipeStream(transport), leaveInnerStreamOpen: true);
        var options = new SslClientAuthenticationOptions
        {
            TargetHost = target.HostName ?? string.Empty,
            EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
            RemoteCertificateValidationCallback = target.Tls == UpstreamTlsMode.VerifyFull
                ? (_, certificate, _, errors) => ValidateUpstreamCertificate(target, certificate, errors)
                : (_, _, _, _) => true,
        };
        try
        {
            await tls.AuthenticateAsClientAsync(options, cancellationToken).ConfigureAwait(false);
        }
        catch (AuthenticationException exception)
        {
            await tls.DisposeAsync().ConfigureAwait(false);
            throw UpstreamFailed(CloseReason.UpstreamConnectFailed, target, "TLS handshake failed: " + exception.Message);
        }

        return (TlsPipes.Create(tls), tls);
    }

    private static bool ValidateUpstreamCertificate(UpstreamTarget target, X509Certificate? certificate, SslPolicyErrors errors)
    {
        if (certificate is null || (errors & (SslPolicyErrors.RemoteCertificateNameMismatch | SslPolicyErrors.RemoteCertificateNotAvailable)) != 0)
        {
            return false;
        }

        if (target.CaCertificates is null || target.CaCertificates.Count == 0)
        {
            return errors == SslPolicyErrors.None;
        }

        // Chain to the configured bundle only, not to the machine's store: verify-full with a CA file means that CA.
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(target.CaCertificates);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        using var leaf = new X509Certificate2(certificate);
        return chain.Build(leaf);
    }

    private async ValueTask LogInUpstreamAsync(UpstreamTarget target, CancellationToken cancellationToken)
    {
        ScramClientExchange? scram = null;
        while (true)
        {
            (byte code, byte[] payload) = await ReadMessageAsync(_upstream!.Input, PgSide.Backend, Options.MaxStartupMessageSize, cancellationToken).ConfigureAwait(false);
            switch ((BackendCode)code)
            {
                case BackendCode.Authentication:
                    scram = await AnswerUpstreamAuthenticationAsync(target, payload, scram, cancellationToken).ConfigureAwait(false);
                    break;
                case BackendCode.BackendKeyData:
                    _upstreamKey = BackendKeyData.Parse(payload);
                    break;
                case BackendCode.ParameterStatus:
                    if (ParameterStatus.IsNamed(payload, "session_authorization"u8))
                    {
                        // The upstream role is the gateway's credential; the client sees the name it logged in with.
                        payload = ParameterStatusPayload("session_authorization", StartupParameters!.User!);
                    }

                    _upstreamGreeting.Add((code, payload));
                    break;
                case BackendCode.NoticeResponse:
                    ErrorResponse.Parse(payload, out _, out _);
                    _upstreamGreeting.Add((code, payload));
                    break;
                case BackendCode.NegotiateProtocolVersion:
                    NegotiateProtocolVersion.Parse(payload, out _);
                    break;
                case BackendCode.ErrorResponse:
                    ErrorResponse.Parse(payload, out _, out ReadOnlySpan<byte> sqlState);
                    string state = System.Text.Encoding.ASCII.GetString(sqlState);
                    throw state.StartsWith("53", StringComparison.Ordinal) || state.StartsWith("57", StringComparison.Ordinal)
                        ? UpstreamFailed(CloseReason.UpstreamConnectFailed, target, "server refused the connection with SQLSTATE " + state)
                        : UpstreamFailed(CloseReason.UpstreamAuthenticationFailed, target, "server refused the login with SQLSTATE " + state);
                case BackendCode.ReadyForQuery:
                    _upstreamReadyStatus = ReadyForQuery.Parse(payload);
                    return;
                default:
                    throw new PgProtocolException($"unexpected message '{PgFormat.Code(code)}' during the upstream login");
            }
        }
    }

    private async ValueTask<ScramClientExchange?> AnswerUpstreamAuthenticationAsync(UpstreamTarget target, byte[] payload, ScramClientExchange? scram, CancellationToken cancellationToken)
    {
        int kind = AuthenticationRequest.Parse(payload, out ReadOnlySpan<byte> data);
        PipeWriter output = _upstream!.Output;
        switch (kind)
        {
            case AuthenticationRequest.Ok:
                if (scram is { IsComplete: false })
                {
                    // A server that skips SASLFinal never proved it holds the verifier.
                    throw UpstreamFailed(CloseReason.UpstreamAuthenticationFailed, target, "server ended SCRAM without its signature");
                }

                return scram;
            case AuthenticationRequest.CleartextPassword:
                if (!target.AllowCleartextPassword && target.Tls != UpstreamTlsMode.VerifyFull)
                {
                    throw UpstreamFailed(CloseReason.UpstreamAuthenticationFailed, target,
                        "server asked for a cleartext password on a connection without verified TLS");
                }

                byte[] password = new byte[target.Password.Password.Length + 1];
                target.Password.Password.CopyTo(password);
                PgMessageWriter.WritePasswordMessage(output, password);
                break;
            case AuthenticationRequest.Md5Password:
                PgMessageWriter.WritePasswordMessage(output, Md5Password.CreateResponse(target.Password.Password, target.User, data));
                break;
            case AuthenticationRequest.Sasl:
                if (scram is not null || !AuthenticationRequest.OffersMechanism(data, "SCRAM-SHA-256"u8))
                {
                    throw UpstreamFailed(CloseReason.UpstreamAuthenticationFailed, target, "server does not offer SCRAM-SHA-256");
                }

                scram = new ScramClientExchange(target.Password, Options.MaxUpstreamScramIterations);
                PgMessageWriter.WriteSaslInitialResponse(output, "SCRAM-SHA-256"u8, scram.CreateClientFirst());
                break;
            case AuthenticationRequest.SaslContinue:
                if (scram is null)
                {
                    throw UpstreamFailed(CloseReason.UpstreamAuthenticationFailed, target, "SASLContinue before SASL");
                }

                if (!scram.TryHandleServerFirst(data, out byte[] clientFinal, out string failure))
                {
                    throw UpstreamFailed(CloseReason.UpstreamAuthenticationFailed, target, failure);
                }

                PgMessageWriter.WritePasswordMessage(output, clientFinal);
                break;
            case AuthenticationRequest.SaslFinal:
                if (scram is null)
                {
                    throw UpstreamFailed(CloseReason.UpstreamAuthenticationFailed, target, "SASLFinal before SASL");
                }

                if (!scram.TryHandleServerFinal(data, out string finalFailure))
                {
                    throw UpstreamFailed(CloseReason.UpstreamAuthenticationFailed, target, finalFailure);
                }

                return scram;
            default:
                throw UpstreamFailed(CloseReason.UpstreamAuthenticationFailed, target, $"server asked for unsupported authentication method {kind}");
        }

        await output.FlushAsync(cancellationToken).ConfigureAwait(false);
        return scram;
    }

    /// <summary>Writes (without flushing) the end of the client's login: SASLFinal, AuthenticationOk, the server's parameters, our cancel key, ReadyForQuery.</summary>
    private void WriteClientLogin()
    {
        PipeWriter output = _client.Output;
        PgMessageWriter.WriteAuthentication(output, AuthenticationRequest.SaslFinal, _scramServerFinal);
        PgMessageWriter.WriteAuthenticationOk(output);
        foreach ((byte code, byte[] payload) in _upstreamGreeting)
        {
            PgMessageWriter.WriteRaw(output, code, payload);
        }

        _clientKey = _gateway.CancelKeys.Register(this);
        PgMessageWriter.WriteBackendKeyData(output, _clientKey);
        PgMessageWriter.WriteReadyForQuery(output, _upstreamReadyStatus);
        _upstreamGreeting.Clear();
        _scramServerFinal = null;
    }

    private static byte[] ParameterStatusPayload(string name, string value)
    {
        var buffer = new ArrayBufferWriter<byte>();
        PgMessageWriter.WriteParameterStatus(buffer, name, value);
        return buffer.WrittenSpan.Slice(PgFrameReader.HeaderLength).ToArray();
    }

    private SessionEndException UpstreamFailed(CloseReason reason, UpstreamTarget target, string detail)
    {
        if (reason == CloseReason.UpstreamConnectFailed)
        {
            Log.UpstreamConnectFailed(_gateway.Logger, Id, target.Name, detail);
        }
        else
        {
            Log.UpstreamLoginFailed(_gateway.Logger, Id, target.Name, detail);
        }

        return new SessionEndException(reason, detail, SqlState.ConnectionFailure,
            $"the gateway could not open a session on target \"{target.Name}\"");
    }
}
