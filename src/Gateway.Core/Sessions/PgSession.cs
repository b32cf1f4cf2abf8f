using System.IO.Pipelines;
using System.Net;
using System.Net.Security;
using Gateway.Core.Configuration;
using Gateway.Core.Diagnostics;
using Gateway.Core.Protocol.Postgres;
using Gateway.Core.Transport;

namespace Gateway.Core.Sessions;

/// <summary>
/// One client connection through the gateway, from startup packet to close. The public surface is what observers
/// and hosts need: who, where, since when, how much, why it ended, and a way to end it.
/// </summary>
public sealed partial class PgSession
{
    private static readonly TimeSpan FinalFlushTimeout = TimeSpan.FromSeconds(2);

    private readonly PgGateway _gateway;
    private readonly PgListenerOptions _listener;
    private readonly IDuplexPipe _clientTransport;
    private IDuplexPipe _client;
    private SslStream? _clientTls;
    private IDuplexPipe? _upstreamTransport;
    private IDuplexPipe? _upstream;
    private SslStream? _upstreamTls;
    private CancelKey _clientKey;
    private CancelKey _upstreamKey;
    private bool _opened;
    private long _closeReason;
    private string? _closeDetail;

    internal PgSession(PgGateway gateway, long id, IDuplexPipe client, PgListenerOptions listener, EndPoint? remoteEndPoint)
    {
        _gateway = gateway;
        _listener = listener;
        _clientTransport = client;
        _client = client;
        Id = id;
        RemoteEndPoint = remoteEndPoint;
        ConnectedAt = gateway.TimeProvider.GetUtcNow();
    }

    /// <summary>A number unique within this gateway process.</summary>
    public long Id { get; }

    /// <summary>The client's address, when the transport knows it.</summary>
    public EndPoint? RemoteEndPoint { get; }

    /// <summary>When the client connected.</summary>
    public DateTimeOffset ConnectedAt { get; }

    /// <summary>When the session ended, or null while it runs.</summary>
    public DateTimeOffset? ClosedAt { get; private set; }

    /// <summary>Whether the client negotiated TLS.</summary>
    public bool IsTls => _clientTls is not null;

    /// <summary>The authenticated identity (the credential's), once known.</summary>
    public string? Identity { get; private set; }

    /// <summary>The startup parameters the client sent.</summary>
    public StartupParameters? StartupParameters { get; private set; }

    /// <summary>The upstream target, once authorized.</summary>
    public UpstreamTarget? Target { get; private set; }

    /// <summary>When the session must end, if its authorization set a deadline.</summary>
    public DateTimeOffset? Deadline { get; private set; }

    /// <summary>The host's data from the credential and the authorization.</summary>
    public object? State { get; private set; }

    /// <summary>The credential's host data.</summary>
    public object? CredentialState { get; private set; }

    /// <summary>Why the session ended, or <see cref="CloseReason.None"/> while it runs.</summary>
    public CloseReason CloseReason => (CloseReason)Interlocked.Read(ref _closeReason);

    /// <summary>Words for the audit log about why it ended; never payload bytes.</summary>
    public string? CloseDetail => _closeDetail;

    /// <summary>Bytes received from the client after login.</summary>
    public long BytesFromClient { get; private set; }

    /// <summary>Bytes received from the server after login.</summary>
    public long BytesFromServer { get; private set; }

    /// <summary>Simple-protocol queries and extended-protocol executions the client sent.</summary>
    public long Statements { get; private set; }

    /// <summary>DataRow messages relayed to the client: result rows of queries and of fetches.</summary>
    public long RowsReturned { get; private set; }

    private PgGatewayOptions Options => _gateway.Options;

    internal async Task<CloseReason> RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            using (var login = new CancellationTokenSource(Options.LoginTimeout, _gateway.TimeProvider))
            using (cancellationToken.Register(static state => ((CancellationTokenSource)state!).Cancel(), login))
            {
                try
                {
                    PgStartupContext? startup = await ReadStartupAsync(login.Token).ConfigureAwait(false);
                    if (startup is null)
                    {
                        return CloseReason;
                    }

                    AgentCredential credential = await AuthenticateAsync(startup, login.Token).ConfigureAwait(false);
                    SessionAuthorization authorization = await AuthorizeAsync(startup, credential, login.Token).ConfigureAwait(false);
                    await ConnectUpstreamAsync(authorization.Target!, startup.Parameters, cancellationToken).ConfigureAwait(false);
                    WriteClientLogin();

                    // Open before the client can see ReadyForQuery: observers and the host know of a session before
                    // it can send its first statement.
                    Open(authorization);
                    await _client.Output.FlushAsync(login.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (login.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
                {
                    throw new SessionEndException(CloseReason.StartupTimeout, "login did not complete within the login timeout",
                        SqlState.ConnectionFailure, "login timeout expired");
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    throw new SessionEndException(CloseReason.Shutdown, "the gateway is shutting down",
                        SqlState.AdminShutdown, "the gateway is shutting down");
                }
            }

            using (cancellationToken.UnsafeRegister(static state => ((PgSession)state!).Terminate(CloseReason.Shutdown, "the gateway is shutting down"), this))
            {
                await RelayAsync().ConfigureAwait(false);
            }
        }
        catch (SessionEndException end)
        {
            SetCloseReason(end.Reason, end.Message);
            if (end.ClientMessage is not null)
            {
                await TryWriteClientErrorAsync(end.SqlState!, end.ClientMessage).ConfigureAwait(false);
            }

        }
        catch (PgProtocolException violation)
        {
            CloseReason reason = violation.MessageTooLarge ? CloseReason.MessageTooLarge : CloseReason.ClientProtocolViolation;
            SetCloseReason(reason, violation.Message);
            Log.ProtocolViolation(_gateway.Logger, Id, reason, violation.Message);
            await TryWriteClientErrorAsync(SqlState.ProtocolViolation, "invalid message from the client: " + violation.Message).ConfigureAwait(false);
        }
        catch (Exception exception) when (TransportErrors.IsConnectionError(exception) || exception is OperationCanceledException)
        {
            SetCloseReason(cancellationToken.IsCancellationRequested ? CloseReason.Shutdown : CloseReason.ClientConnectionError,
                "the connection failed during startup: " + exception.GetType().Name);
        }
#pragma warning disable CA1031 // A session must end with a reason, whatever went wrong; the exception type is logged, never its text.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            SetCloseReason(CloseReason.InternalError, "unexpected " + exception.GetType().Name);
            Log.SessionFailed(_gateway.Logger, Id, exception.GetType().Name);
        }
        finally
        {
            await CloseAsync().ConfigureAwait(false);
        }

        return CloseReason;
    }

    private void Open(SessionAuthorization authorization)
    {
        Target = authorization.Target;
        State = authorization.State;
        Deadline = authorization.Deadline;
        InitializeHooks(authorization.Hooks);
        InitializeRecorder(authorization.Recorder);
        _opened = true;
        _gateway.Track(this);
        Log.SessionOpened(_gateway.Logger, Id, Identity!, RemoteEndPoint, Target!.Name, IsTls);
        foreach (IPgSessionObserver observer in _gateway.Observers)
        {
            observer.OnOpened(this);
        }

        StartDeadlineTimer(authorization);
    }

    /// <summary>Sets the close reason unless one is already set; the first reason wins.</summary>
    private bool SetCloseReason(CloseReason reason, string detail)
    {
        if (Interlocked.CompareExchange(ref _closeReason, (long)reason, (long)CloseReason.None) != (long)CloseReason.None)
        {
            return false;
        }

        _closeDetail = detail;
        return true;
    }

    private void NotifyLoginFailed()
    {
        CloseReason reason = CloseReason;
        if (reason == CloseReason.CancelRequest)
        {
            return;
        }

        if (reason == CloseReason.ClientEndOfStream && StartupParameters is null)
        {
            Log.ConnectionAbandoned(_gateway.Logger, RemoteEndPoint);
        }
        else
        {
            Log.SessionRefused(_gateway.Logger, RemoteEndPoint, reason, _closeDetail!);
        }

        var failure = new PgLoginFailure(RemoteEndPoint, StartupParameters, Identity, Target?.Name, reason, _closeDetail!, ClosedAt!.Value) { State = State };
        foreach (IPgSessionObserver observer in _gateway.Observers)
        {
            observer.OnLoginFailed(failure);
        }
    }

    private async ValueTask TryWriteClientErrorAsync(string sqlState, string message)
    {
        try
        {
            PipeWriter output = ClientOutput;
            PgMessageWriter.WriteErrorResponse(output, "FATAL", sqlState, message);
            await FlushWithinAsync(output).ConfigureAwait(false);
        }
        catch (Exception exception) when (TransportErrors.IsConnectionError(exception) || exception is InvalidOperationException or OperationCanceledException)
        {
            // The client is gone or not reading; the close reason says why the session ended.
        }
    }

    /// <summary>
    /// A last flush before closing, bounded in time: a peer that stops reading must not keep a session it is being
    /// thrown out of (an expired grant, say) open.
    /// </summary>
    private async ValueTask FlushWithinAsync(System.IO.Pipelines.PipeWriter output)
    {
        using var timeout = new CancellationTokenSource(FinalFlushTimeout, _gateway.TimeProvider);
        await output.FlushAsync(timeout.Token).ConfigureAwait(false);
    }

    private async ValueTask CloseAsync()
    {
        _deadlineTimer?.Dispose();
        if (_clientKey != default)
        {
            _gateway.CancelKeys.Unregister(_clientKey);
        }

        ClosedAt = _gateway.TimeProvider.GetUtcNow();
        SetCloseReason(CloseReason.InternalError, "ended without a recorded reason");
        lock (_stopLock)
        {
            _pipesCompleted = true;
        }

        await CompleteAsync(_client, _clientTls, _clientTransport == _client ? null : _clientTransport).ConfigureAwait(false);
        if (_upstream is not null)
        {
            await CompleteAsync(_upstream, _upstreamTls, _upstreamTransport == _upstream ? null : _upstreamTransport).ConfigureAwait(false);
            await DisposeTransportAsync(_upstreamTransport!).ConfigureAwait(false);
        }

        ReleaseHooks();
        _recorderStop?.Dispose();
        if (!_opened)
        {
            NotifyLoginFailed();
        }
        else
        {
            _gateway.Untrack(this);
            Log.SessionClosed(_gateway.Logger, Id, CloseReason, (long)(ClosedAt.Value - ConnectedAt).TotalMilliseconds, BytesFromClient, BytesFromServer);
            foreach (IPgSessionObserver observer in _gateway.Observers)
            {
                observer.OnClosed(this);
            }
        }
    }

    private async ValueTask CompleteAsync(IDuplexPipe pipe, SslStream? tls, IDuplexPipe? inner)
    {
        await pipe.Input.CompleteAsync().ConfigureAwait(false);
        await pipe.Output.CompleteAsync().ConfigureAwait(false);
        if (tls is not null)
        {
            // close_notify, so that the peer sees the end of a TLS session rather than a truncated one.
            try
            {
                using var timeout = new CancellationTokenSource(FinalFlushTimeout, _gateway.TimeProvider);
                await tls.ShutdownAsync().WaitAsync(timeout.Token).ConfigureAwait(false);
            }
            catch (Exception exception) when (TransportErrors.IsConnectionError(exception) || exception is OperationCanceledException or InvalidOperationException)
            {
                // The peer is gone or the stream was already broken; closing is all that is left.
            }

            await tls.DisposeAsync().ConfigureAwait(false);
        }

        if (inner is not null)
        {
            await inner.Input.CompleteAsync().ConfigureAwait(false);
            await inner.Output.CompleteAsync().ConfigureAwait(false);
        }
    }

    private static async ValueTask DisposeTransportAsync(IDuplexPipe transport)
    {
        if (transport is IAsyncDisposable asyncDisposable)
        {
            await asyncDisposable.DisposeAsync().ConfigureAwait(false);
        }
        else if (transport is IDisposable disposable)
        {
            disposable.Dispose();
        }
    }
}
