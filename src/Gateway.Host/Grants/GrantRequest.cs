namespace Gateway.Host.Grants;

/// <summary>What an agent asks for: a scope of a target, for a window, for a task.</summary>
internal sealed record GrantRequest(string Target, string Scope, string Duration, string Task, string? Justification);
