namespace Gateway.Host.Identities;

/// <summary>A named principal of the control plane. Its API key is stored only as a hash.</summary>
internal sealed record Identity
{
    public required string Name { get; init; }

    public required IdentityKind Kind { get; init; }

    /// <summary>Reviewer groups (policies name a group whose members may approve).</summary>
    public IReadOnlyList<string> Groups { get; init; } = [];

    /// <summary><c>sha256:</c> and the hex digest of the API key.</summary>
    public required string ApiKeyHash { get; init; }

    /// <summary>Where it was defined: the configuration file or the control API (by whom).</summary>
    public string Source { get; init; } = "configuration";

    public bool Disabled { get; init; }
}
