using Gateway.Core.Protocol.Postgres;

namespace Gateway.Core.Sessions;

/// <summary>
/// A tap on a session's wire traffic after login, for session recordings. The relay hands it raw protocol bytes, in
/// the order each direction carried them, and never frames or copies them for it: the client's bytes as they were
/// received (before any hook), and every byte the client was sent (after the hooks, so masked values appear masked,
/// including the gateway's own messages such as the FATAL at a grant's end). Framing them into messages is the
/// recorder's business, off the relay's path.
/// </summary>
/// <remarks>
/// <see cref="Record"/> is called synchronously by both pumps, possibly at the same time; an implementation must
/// copy the bytes before returning, must not block, and must not throw. A session without a recorder pays nothing.
/// </remarks>
public interface IPgSessionRecorder
{
    /// <summary>
    /// Receives the next bytes of one direction: for <see cref="PgSide.Frontend"/>, bytes consumed from the client;
    /// for <see cref="PgSide.Backend"/>, bytes written to the client. Message boundaries are not preserved.
    /// </summary>
    void Record(PgSide side, ReadOnlySpan<byte> bytes);

    /// <summary>
    /// Awaited by each pump before it relays what it has read (only when the read brought bytes): completes at once
    /// while the recorder keeps up, later when it must catch up (so a slow recorder slows the session and never drops
    /// records), and returns <see langword="false"/> once the recorder has failed, which ends the session with
    /// <see cref="Transport.CloseReason.RecordingFailed"/> before anything more is relayed in either direction.
    /// Cancelled when the session is being stopped.
    /// </summary>
    ValueTask<bool> WaitForCapacityAsync(CancellationToken cancellationToken);
}
