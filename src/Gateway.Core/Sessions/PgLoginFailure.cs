using System.Net;
using Gateway.Core.Protocol.Postgres;
using Gateway.Core.Transport;

namespace Gateway.Core.Sessions;

/// <summary>A connection that ended before its session opened: refused, failed, malformed or abandoned.</summary>
/// <param name="RemoteEndPoint">The client's address, when known.</param>
/// <param name="Startup">The startup parameters, when the client got as far as sending them.</param>
/// <param name="Identity">The identity of the credential found for the user, when there was one.</param>
/// <param name="Target">The target the authorizer chose, when it got that far.</param>
/// <param name="Reason">Why the connection ended.</param>
/// <param name="Detail">Words for the audit log; never payload bytes or secrets.</param>
/// <param name="At">When it ended.</param>
public sealed record PgLoginFailure(
    EndPoint? RemoteEndPoint,
    StartupParameters? Startup,
    string? Identity,
    string? Target,
    CloseReason Reason,
    string Detail,
    DateTimeOffset At)
{
    /// <summary>
    /// The host's data for the session when the authorizer allowed it and a later step (the upstream) failed, so the
    /// host can close what it opened for the session; null otherwise.
    /// </summary>
    public object? State { get; init; }
}
