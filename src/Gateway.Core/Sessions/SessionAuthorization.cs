using Gateway.Core.Configuration;

namespace Gateway.Core.Sessions;

/// <summary>The authorizer's answer: where an allowed session goes and until when, or why it was refused.</summary>
public sealed record SessionAuthorization
{
    private SessionAuthorization(UpstreamTarget? target, string? denyReason, string? unavailableMessage = null)
    {
        Target = target;
        DenyReason = denyReason;
        UnavailableMessage = unavailableMessage;
    }

    /// <summary>True when the session may proceed.</summary>
    public bool IsAllowed => Target is not null;

    /// <summary>The upstream to connect to; set when allowed.</summary>
    public UpstreamTarget? Target { get; }

    /// <summary>Why the session was refused, for the audit trail; never shown to the client.</summary>
    public string? DenyReason { get; }

    /// <summary>
    /// Set when the session was refused because the host cannot serve it now, rather than because of who asked: the
    /// client receives this text with SQLSTATE 57P03 (cannot_connect_now) instead of the authentication error.
    /// </summary>
    public string? UnavailableMessage { get; }

    /// <summary>
    /// When the session must end (a grant's end). The gateway ends it at that moment, even if it was opened just
    /// before, with <see cref="Transport.CloseReason.GrantExpired"/>.
    /// </summary>
    public DateTimeOffset? Deadline { get; init; }

    /// <summary>The FATAL message the client receives at the deadline; defaults to one naming the deadline.</summary>
    public string? DeadlineMessage { get; init; }

    /// <summary>
    /// Per-session message hooks (masking, recording, guardrails), run in order. The session disposes those that are
    /// <see cref="IDisposable"/> when it has ended.
    /// </summary>
    public IReadOnlyList<IPgMessageHook> Hooks { get; init; } = [];

    /// <summary>
    /// The session's recorder, or null for none (which costs nothing). It sees the client's bytes before the hooks and
    /// the bytes the client receives after them; when it fails the session ends with
    /// <see cref="Transport.CloseReason.RecordingFailed"/>. The host completes it once the session has closed.
    /// </summary>
    public IPgSessionRecorder? Recorder { get; init; }

    /// <summary>The host's own data for the session, kept on <see cref="PgSession.State"/>.</summary>
    public object? State { get; init; }

    /// <summary>Allows the session towards <paramref name="target"/>.</summary>
    public static SessionAuthorization Allow(UpstreamTarget target)
    {
        ArgumentNullException.ThrowIfNull(target);
        return new SessionAuthorization(target, null);
    }

    /// <summary>Refuses the session; the client sees the same error as for a wrong password.</summary>
    public static SessionAuthorization Deny(string reason)
    {
        ArgumentException.ThrowIfNullOrEmpty(reason);
        return new SessionAuthorization(null, reason);
    }

    /// <summary>
    /// Refuses the session because the host cannot serve it now (its audit trail is down, say). Only the host's state
    /// is revealed, which is why this is for after a credential was proven.
    /// </summary>
    public static SessionAuthorization Unavailable(string reason, string clientMessage)
    {
        ArgumentException.ThrowIfNullOrEmpty(reason);
        ArgumentException.ThrowIfNullOrEmpty(clientMessage);
        return new SessionAuthorization(null, reason, clientMessage);
    }
}
