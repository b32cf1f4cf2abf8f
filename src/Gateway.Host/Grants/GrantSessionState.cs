using Gateway.Core.Masking;
using Gateway.Host.Recording;

namespace Gateway.Host.Grants;

/// <summary>
/// What the host keeps on a session it allowed: the grant, the gateway's id for the connection, and what the closing
/// audit record needs (masking counts, the recording to seal).
/// </summary>
internal sealed class GrantSessionState(Grant grant, string sessionId)
{
    public Grant Grant { get; } = grant;

    /// <summary><c>s_</c> and sixteen base32 characters: unique across restarts and instances, unlike the relay's counter.</summary>
    public string SessionId { get; } = sessionId;

    public MaskingStatistics? Masking { get; init; }

    public SessionRecording? Recording { get; init; }

    /// <summary>The recording's path relative to the recordings directory, as the audit records name it.</summary>
    public string? RecordingPath { get; init; }

    /// <summary>The index row written with the opening record, completed by the closing one.</summary>
    public Audit.AuditSession? Audit { get; set; }

    /// <summary>Set once the relay started (the upstream login succeeded).</summary>
    public bool Opened { get; set; }

    /// <summary><c>s_</c> and sixteen base32 characters (80 random bits).</summary>
    public static string NewSessionId() => Base32Id.New('s', 16);
}
