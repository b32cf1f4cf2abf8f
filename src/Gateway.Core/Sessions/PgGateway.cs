using System.Collections.Concurrent;
using System.IO.Pipelines;
using System.Net;
using Gateway.Core.Authentication;
using Gateway.Core.Configuration;
using Gateway.Core.Transport;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gateway.Core.Sessions;

/// <summary>
/// The PostgreSQL relay. Give it a client's <see cref="IDuplexPipe"/> and it runs the whole session: TLS, SCRAM,
/// authorization, the upstream login with gateway-held credentials, then the message relay until one side ends.
/// It touches no files and no configuration: everything it needs comes from its hooks.
/// </summary>
public sealed class PgGateway
{
    private readonly ConcurrentDictionary<long, PgSession> _sessions = new();
    private long _lastSessionId;

    /// <summary>Creates the relay.</summary>
    public PgGateway(
        PgGatewayOptions options,
        IPgSessionAuthorizer authorizer,
        IPgUpstreamConnector? upstreamConnector = null,
        IEnumerable<IPgSessionObserver>? observers = null,
        TimeProvider? timeProvider = null,
        ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(authorizer);
        options.Validate();
        Options = options;
        Authorizer = authorizer;
        UpstreamConnector = upstreamConnector ?? new SocketUpstreamConnector();
        Observers = observers?.ToArray() ?? [];
        TimeProvider = timeProvider ?? TimeProvider.System;
        Logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger("Gateway.Core.Sessions");
    }

    /// <summary>The sessions currently open (authenticated and relaying).</summary>
    public IReadOnlyCollection<PgSession> Sessions => [.. _sessions.Values];

    internal PgGatewayOptions Options { get; }

    internal IPgSessionAuthorizer Authorizer { get; }

    internal IPgUpstreamConnector UpstreamConnector { get; }

    internal IPgSessionObserver[] Observers { get; }

    internal TimeProvider TimeProvider { get; }

    internal ILogger Logger { get; }

    internal CancelKeyRegistry CancelKeys { get; } = new();

    internal ScramDecoys Decoys { get; } = new();

    /// <summary>
    /// Runs one client connection to its end and returns why it ended. The caller keeps ownership of the transport:
    /// the gateway completes both pipes, the caller disposes what is behind them.
    /// </summary>
    public Task<CloseReason> RunSessionAsync(IDuplexPipe client, PgListenerOptions listener, EndPoint? remoteEndPoint, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(listener);
        var session = new PgSession(this, Interlocked.Increment(ref _lastSessionId), client, listener, remoteEndPoint);
        return session.RunAsync(cancellationToken);
    }

    /// <summary>Ends every open session with <paramref name="reason"/>; each client receives <paramref name="message"/> as a FATAL error.</summary>
    public void TerminateAll(CloseReason reason, string message)
    {
        foreach (PgSession session in _sessions.Values)
        {
            session.Terminate(reason, message);
        }
    }

    internal void Track(PgSession session) => _sessions[session.Id] = session;

    internal void Untrack(PgSession session) => _sessions.TryRemove(session.Id, out _);
}
