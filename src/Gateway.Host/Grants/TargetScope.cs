using Gateway.Core.Configuration;

namespace Gateway.Host.Grants;

/// <summary>
/// A scope of a target: a named level of access enforced by an upstream role's own privileges (see docs/roles.sql),
/// not by reading SQL text. Only the gateway holds the role's credentials.
/// </summary>
/// <param name="Name">The scope's name, as requests give it.</param>
/// <param name="Access"><c>read</c> or <c>write</c>.</param>
/// <param name="Tables">The tables the role is limited to, for the record; empty for the whole database.</param>
/// <param name="Upstream">The upstream server, database and role.</param>
internal sealed record TargetScope(string Name, string Access, IReadOnlyList<string> Tables, UpstreamTarget Upstream);
