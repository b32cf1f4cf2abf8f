using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using Gateway.Core.Protocol.Postgres;

namespace Gateway.Core.Internal;

/// <summary>Throw sites kept out of hot methods so that those stay small enough to inline.</summary>
internal static class ThrowHelper
{
    [DoesNotReturn, StackTraceHidden, MethodImpl(MethodImplOptions.NoInlining)]
    public static void ThrowProtocolViolation(string message)
        => throw new PgProtocolException(message);

    [DoesNotReturn, StackTraceHidden, MethodImpl(MethodImplOptions.NoInlining)]
    public static void ThrowMessageTooLarge(byte code, long length, int maximum)
        => throw new PgProtocolException(
            $"message '{PgFormat.Code(code)}' declares {length} bytes, more than the maximum of {maximum}", messageTooLarge: true);

    [DoesNotReturn, StackTraceHidden, MethodImpl(MethodImplOptions.NoInlining)]
    public static void ThrowFieldPastEnd(int offset, int needed, int length)
        => throw new PgProtocolException($"a {needed}-byte field at offset {offset} runs past the message's {length} bytes");

    [DoesNotReturn, StackTraceHidden, MethodImpl(MethodImplOptions.NoInlining)]
    public static void ThrowUnterminatedString(int offset)
        => throw new PgProtocolException($"the string at offset {offset} has no terminating NUL");

    [DoesNotReturn, StackTraceHidden, MethodImpl(MethodImplOptions.NoInlining)]
    public static void ThrowMessageTooLargeToWrite(long length)
        => throw new InvalidOperationException($"a message of {length} bytes exceeds the protocol's 32-bit length");
}
