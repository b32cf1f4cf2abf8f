using System.Buffers;
using Gateway.Core.Protocol.Postgres;

namespace Gateway.Core.Sessions;

/// <summary>
/// A per-session hook on relayed messages: where masking, recording and guardrails plug in. The relay only frames
/// and hands over the message types a hook lists; every other message streams through untouched and uncopied
/// beyond the one copy into the outgoing transport buffer.
/// </summary>
public interface IPgMessageHook
{
    /// <summary>The client message types this hook wants to see.</summary>
    PgMessageCodeSet FrontendCodes { get; }

    /// <summary>The server message types this hook wants to see.</summary>
    PgMessageCodeSet BackendCodes { get; }

    /// <summary>
    /// Handles one whole message. Return <see cref="PgHookAction.Forward"/> to pass it on as it is, or write zero or
    /// more whole messages (type, length, body) to <paramref name="replacement"/> and return
    /// <see cref="PgHookAction.Replace"/>. The relay checks every replacement frame's length before sending it and
    /// ends the session if one is malformed.
    /// </summary>
    PgHookAction OnMessage(in PgMessage message, IBufferWriter<byte> replacement);
}
