using Gateway.Host.Grants;

namespace Gateway.Host.Storage;

/// <summary>A filter over grants; null fields do not filter. <see cref="From"/>/<see cref="To"/> bound the request time.</summary>
internal sealed record GrantQuery(
    string? Agent = null,
    string? Target = null,
    GrantStatus? Status = null,
    DateTimeOffset? From = null,
    DateTimeOffset? To = null,
    int Limit = 500);
