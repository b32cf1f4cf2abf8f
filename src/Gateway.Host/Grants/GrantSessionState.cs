using Gateway.Core.Masking;

namespace Gateway.Host.Grants;

/// <summary>What the host keeps on a session it allowed: the grant, and the masking counts for its closing record.</summary>
internal sealed record GrantSessionState(Grant Grant, MaskingStatistics? Masking);
