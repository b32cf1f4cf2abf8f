using System.Security.Cryptography;
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

    public static string NewSessionId()
    {
        const string Alphabet = "abcdefghijklmnopqrstuvwxyz234567";
        Span<byte> random = stackalloc byte[16];
        RandomNumberGenerator.Fill(random);
        Span<char> id = stackalloc char[18];
        id[0] = 's';
        id[1] = '_';
        for (int i = 0; i < 16; i++)
        {
            id[i + 2] = Alphabet[random[i] & 31];
        }

        return new string(id);
    }
}
