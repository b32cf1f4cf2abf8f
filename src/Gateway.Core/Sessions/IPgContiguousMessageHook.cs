using System.Buffers;
using Gateway.Core.Protocol.Postgres;

namespace Gateway.Core.Sessions;

/// <summary>
/// A built-in hook that also takes a message whose bytes lie in one buffer as that memory. The relay hands most
/// inspected frames over this way: for a short DataRow, wrapping the payload in a <see cref="ReadOnlySequence{T}"/>
/// and unwrapping it again cost a noticeable share of what masking the row costs. When no later hook inspects the
/// message, the replacement writer is the peer's outgoing pipe itself (<see cref="CheckedFrameWriter"/>): each
/// <c>Advance</c> must then cover whole messages, and nothing may be written before returning
/// <see cref="PgHookAction.Forward"/>.
/// </summary>
internal interface IPgContiguousMessageHook : IPgMessageHook
{
    /// <summary>As <see cref="IPgMessageHook.OnMessage"/>, for a payload in one piece of memory.</summary>
    PgHookAction OnMessage(PgSide side, byte code, ReadOnlyMemory<byte> payload, IBufferWriter<byte> replacement);
}
