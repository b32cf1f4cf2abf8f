using System.IO.Pipelines;
using System.Net.Security;
using Gateway.Core.Diagnostics;
using Gateway.Core.Protocol.Postgres;
using Gateway.Core.Transport;

namespace Gateway.Core.Sessions;

/// <summary>Ending a session from outside (deadline, revocation, shutdown) and forwarding cancel requests.</summary>
public sealed partial class PgSession
{
    /// <summary>Timers cannot wait longer than about 49 days; longer deadlines re-arm.</summary>
    private static readonly TimeSpan MaxTimerDelay = TimeSpan.FromDays(30);

    private ITimer? _deadlineTimer;
    private string? _deadlineMessage;
    private volatile bool _terminating;
    private string? _terminationMessage;
    private int _cancelInFlight;

    /// <summary>
    /// Ends the session: a running query is cancelled upstream, the client receives a FATAL error with
    /// <paramref name="message"/> (when it is between two messages), and both connections close. The first reason
    /// given to a session is the one it keeps.
    /// </summary>
    public void Terminate(CloseReason reason, string message)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (!SetCloseReason(reason, message))
        {
            return;
        }

        _terminationMessage = message;
        _terminating = true;
        Log.SessionTerminating(_gateway.Logger, Id, reason);
        if (!_upstreamIdle && _upstream is not null)
        {
            _ = ForwardCancelAsync();
        }

        StopPumps();
    }

    private void StartDeadlineTimer(SessionAuthorization authorization)
    {
        if (authorization.Deadline is not { } deadline)
        {
            return;
        }

        _deadlineMessage = authorization.DeadlineMessage
            ?? $"terminating connection because access to target \"{Target!.Name}\" expired at {deadline.UtcDateTime:yyyy-MM-dd HH:mm:ss} UTC";
        ArmDeadlineTimer();
    }

    /// <summary>
    /// The deadline is wall-clock policy; the timer is a monotonic mechanism: the remaining time is computed from the
    /// wall clock once, and on firing the wall clock is checked again before ending the session.
    /// </summary>
    private void ArmDeadlineTimer()
    {
        TimeSpan due = Deadline!.Value - _gateway.TimeProvider.GetUtcNow();
        if (due <= TimeSpan.Zero)
        {
            Terminate(CloseReason.GrantExpired, _deadlineMessage!);
            return;
        }

        _deadlineTimer?.Dispose();
        _deadlineTimer = _gateway.TimeProvider.CreateTimer(
            static state => ((PgSession)state!).ArmDeadlineTimer(), this, due < MaxTimerDelay ? due : MaxTimerDelay, Timeout.InfiniteTimeSpan);
    }

    /// <summary>Sends a CancelRequest with the upstream's own key on a new upstream connection. One at a time per session.</summary>
    internal async Task ForwardCancelAsync()
    {
        if (Interlocked.Exchange(ref _cancelInFlight, 1) == 1 || Target is null)
        {
            return;
        }

        IDuplexPipe? transport = null;
        SslStream? tls = null;
        try
        {
            using var timeout = new CancellationTokenSource(Options.UpstreamConnectTimeout, _gateway.TimeProvider);
            transport = await _gateway.UpstreamConnector.ConnectAsync(Target, timeout.Token).ConfigureAwait(false);
            IDuplexPipe pipe = transport;
            if (Target.Tls != Configuration.UpstreamTlsMode.Disable)
            {
                (pipe, tls) = await NegotiateUpstreamTlsAsync(transport, Target, timeout.Token).ConfigureAwait(false);
            }

            PgMessageWriter.WriteCancelRequest(pipe.Output, _upstreamKey);
            await pipe.Output.FlushAsync(timeout.Token).ConfigureAwait(false);

            // The server closes the connection once it has acted on the request; wait for that, as libpq does.
            while (true)
            {
                ReadResult result = await pipe.Input.ReadAsync(timeout.Token).ConfigureAwait(false);
                pipe.Input.AdvanceTo(result.Buffer.End);
                if (result.IsCompleted)
                {
                    break;
                }
            }

            Log.CancelForwarded(_gateway.Logger, Id);
        }
        catch (Exception exception) when (TransportErrors.IsConnectionError(exception) || exception is OperationCanceledException or SessionEndException)
        {
            Log.UpstreamConnectFailed(_gateway.Logger, Id, Target.Name, "cancel request not delivered: " + exception.GetType().Name);
        }
        finally
        {
            if (tls is not null)
            {
                await tls.DisposeAsync().ConfigureAwait(false);
            }

            if (transport is not null)
            {
                await transport.Input.CompleteAsync().ConfigureAwait(false);
                await transport.Output.CompleteAsync().ConfigureAwait(false);
                await DisposeTransportAsync(transport).ConfigureAwait(false);
            }

            Volatile.Write(ref _cancelInFlight, 0);
        }
    }

    private async ValueTask HandleCancelRequestAsync(CancelKey key)
    {
        SetCloseReason(CloseReason.CancelRequest, "cancel request");
        if (_gateway.CancelKeys.TryResolve(key, out PgSession? session))
        {
            await session!.ForwardCancelAsync().ConfigureAwait(false);
        }
        else
        {
            Log.CancelIgnored(_gateway.Logger, RemoteEndPoint);
        }
    }
}
