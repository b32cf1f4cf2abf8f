using System.Collections.Frozen;
using System.Net;
using Gateway.Core.Authentication;
using Gateway.Core.Configuration;

namespace Gateway.Host.Configuration;

/// <summary>The configuration after validation, with secrets resolved and certificates loaded.</summary>
internal sealed record LoadedConfiguration(
    IReadOnlyList<(IPEndPoint EndPoint, PgListenerOptions Options)> Listeners,
    PgGatewayOptions Gateway,
    TimeSpan ShutdownTimeout,
    IoConfiguration Io,
    FrozenDictionary<string, UpstreamTarget> Targets,
    FrozenDictionary<string, StaticAgent> Agents);

/// <summary>A statically configured agent identity.</summary>
internal sealed record StaticAgent(string Name, ScramVerifier Verifier, FrozenSet<string> Targets);
