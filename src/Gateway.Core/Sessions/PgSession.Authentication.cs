using System.Buffers;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using Gateway.Core.Authentication;
using Gateway.Core.Protocol.Postgres;
using Gateway.Core.Protocol.Postgres.Messages;
using Gateway.Core.Transport;

namespace Gateway.Core.Sessions;

/// <summary>The client's SCRAM-SHA-256 login and the authorizer's decision.</summary>
public sealed partial class PgSession
{
    private byte[]? _scramServerFinal;

    private async ValueTask<AgentCredential> AuthenticateAsync(PgStartupContext startup, CancellationToken cancellationToken)
    {
        string? user = startup.Parameters.User;
        if (string.IsNullOrEmpty(user))
        {
            throw new SessionEndException(CloseReason.AuthenticationFailed, "no user name in the startup packet",
                SqlState.InvalidAuthorizationSpecification, "no PostgreSQL user name specified in startup packet");
        }

        AgentCredential? credential = await _gateway.Authorizer.FindCredentialAsync(startup, cancellationToken).ConfigureAwait(false);
        Identity = credential?.Identity;
        var exchange = new ScramServerExchange(credential?.Verifier ?? _gateway.Decoys.For(user), isDecoy: credential is null);

        PgMessageWriter.WriteAuthenticationSasl(_client.Output);
        await _client.Output.FlushAsync(cancellationToken).ConfigureAwait(false);

        byte[] initial = await ReadPasswordMessageAsync(cancellationToken).ConfigureAwait(false);
        ReadOnlySpan<byte> clientFirst = SaslInitialResponse.Parse(initial, out ReadOnlySpan<byte> mechanism);
        if (!mechanism.SequenceEqual("SCRAM-SHA-256"u8))
        {
            throw AuthenticationFailed(user, "client chose a SASL mechanism that was not offered");
        }

        if (!exchange.TryHandleClientFirst(clientFirst, out byte[] serverFirst, out string failure))
        {
            throw AuthenticationFailed(user, failure);
        }

        PgMessageWriter.WriteAuthentication(_client.Output, AuthenticationRequest.SaslContinue, serverFirst);
        await _client.Output.FlushAsync(cancellationToken).ConfigureAwait(false);

        byte[] clientFinal = await ReadPasswordMessageAsync(cancellationToken).ConfigureAwait(false);
        if (!exchange.TryHandleClientFinal(clientFinal, out byte[] serverFinal, out failure))
        {
            throw AuthenticationFailed(user, credential is null ? "no such user or grant" : failure);
        }

        // SASLFinal and AuthenticationOk wait until the upstream login has succeeded, so that a client is never told
        // it is in before the gateway knows it can serve it.
        _scramServerFinal = serverFinal;
        CredentialState = credential!.State;
        return credential;
    }

    private async ValueTask<SessionAuthorization> AuthorizeAsync(PgStartupContext startup, AgentCredential credential, CancellationToken cancellationToken)
    {
        SessionAuthorization authorization = await _gateway.Authorizer
            .AuthorizeAsync(new PgAuthorizationContext(startup, credential), cancellationToken).ConfigureAwait(false);
        if (authorization.UnavailableMessage is { } unavailable)
        {
            throw new SessionEndException(CloseReason.ServiceUnavailable, authorization.DenyReason!, SqlState.CannotConnectNow, unavailable);
        }

        if (!authorization.IsAllowed)
        {
            // Same words as a wrong secret: the client learns nothing about which grants, targets or databases exist.
            throw new SessionEndException(CloseReason.AuthorizationDenied, authorization.DenyReason!,
                SqlState.InvalidPassword, PasswordFailedMessage(startup.Parameters.User!));
        }

        // Known from here on, so that a login that fails upstream still hands the host back what it set up.
        State = authorization.State;
        return authorization;
    }

    private async ValueTask<byte[]> ReadPasswordMessageAsync(CancellationToken cancellationToken)
    {
        (byte code, byte[] payload) = await ReadMessageAsync(_client.Input, PgSide.Frontend, Options.MaxStartupMessageSize, cancellationToken).ConfigureAwait(false);
        if (code == (byte)FrontendCode.Terminate)
        {
            throw new SessionEndException(CloseReason.ClientTerminate, "client sent Terminate during authentication");
        }

        if (code != (byte)FrontendCode.Password)
        {
            throw Violation($"expected a SASL response during authentication, got message '{PgFormat.Code(code)}'");
        }

        return payload;
    }

    /// <summary>
    /// Reads one whole message during startup, when messages are small and copying them is fine. A message already
    /// received (a server sends its whole greeting at once) is taken without waiting, so without an allocation and
    /// without another trip through the thread pool.
    /// </summary>
    private static ValueTask<(byte Code, byte[] Payload)> ReadMessageAsync(PipeReader input, PgSide side, int maxMessageSize, CancellationToken cancellationToken)
    {
        if (input.TryRead(out ReadResult result) && TryTakeMessage(input, result, side, maxMessageSize, out (byte Code, byte[] Payload) message))
        {
            return new ValueTask<(byte Code, byte[] Payload)>(message);
        }

        return ReadMessageSlowAsync(input, side, maxMessageSize, cancellationToken);

        [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
        static async ValueTask<(byte Code, byte[] Payload)> ReadMessageSlowAsync(PipeReader input, PgSide side, int maxMessageSize, CancellationToken cancellationToken)
        {
            while (true)
            {
                ReadResult result = await input.ReadAsync(cancellationToken).ConfigureAwait(false);
                await LeaveIoThread();
                if (TryTakeMessage(input, result, side, maxMessageSize, out (byte Code, byte[] Payload) message))
                {
                    return message;
                }
            }
        }
    }

    /// <summary>Takes one whole message out of <paramref name="result"/>, or marks everything examined; always advances the reader.</summary>
    private static bool TryTakeMessage(PipeReader input, in ReadResult result, PgSide side, int maxMessageSize, out (byte Code, byte[] Payload) message)
    {
        ReadOnlySequence<byte> buffer = result.Buffer;
        if (PgFrameReader.TryReadFrame(ref buffer, side, maxMessageSize, out byte code, out ReadOnlySequence<byte> payload))
        {
            message = (code, payload.ToArray());
            input.AdvanceTo(buffer.Start);
            return true;
        }

        input.AdvanceTo(buffer.Start, buffer.End);
        if (result.IsCompleted)
        {
            throw side == PgSide.Frontend
                ? new SessionEndException(CloseReason.ClientEndOfStream, "client closed the connection during login")
                : new SessionEndException(CloseReason.ServerEndOfStream, "upstream server closed the connection during login",
                    SqlState.ConnectionFailure, "the upstream server closed the connection during login");
        }

        message = default;
        return false;
    }

    /// <summary>
    /// Moves the login's continuation to the thread pool. A host may run socket completions inline on the I/O thread
    /// (the relay's fastest mode); the login calls the host's authorizer, hashes and handshakes, none of which may
    /// hold up the I/O thread every relayed session shares.
    /// </summary>
    private static System.Runtime.CompilerServices.YieldAwaitable LeaveIoThread() => Task.Yield();

    private static SessionEndException AuthenticationFailed(string user, string detail)
        => new(CloseReason.AuthenticationFailed, detail, SqlState.InvalidPassword, PasswordFailedMessage(user));

    private static string PasswordFailedMessage(string user) => $"password authentication failed for user \"{user}\"";
}
