using System.Net;
using Gateway.Core.Protocol.Postgres;

namespace Gateway.Core.Sessions;

/// <summary>What the gateway knows about a client before it has authenticated.</summary>
/// <param name="Parameters">The StartupMessage parameters.</param>
/// <param name="RemoteEndPoint">The client's address, when the transport knows it.</param>
/// <param name="IsTls">Whether the client negotiated TLS.</param>
public sealed record PgStartupContext(StartupParameters Parameters, EndPoint? RemoteEndPoint, bool IsTls);
