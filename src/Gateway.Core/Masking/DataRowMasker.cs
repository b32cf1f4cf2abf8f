using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using Gateway.Core.Internal;
using Gateway.Core.Protocol.Postgres;

namespace Gateway.Core.Masking;

/// <summary>
/// Rewrites one DataRow under a <see cref="RowPlan"/>: each value is passed, scanned or masked, and only a row in
/// which something changed is written again, into the hook's pooled buffer with every length recomputed. A row
/// whose column count differs from its RowDescription is a server protocol violation: masking by position would
/// otherwise be off by one.
/// </summary>
internal static class DataRowMasker
{
    private const int FromSource = 0;
    private const int FromArena = 1;
    private const int Null = 2;

    /// <summary>Returns false when the row goes on unchanged.</summary>
    /// <remarks>
    /// Positions are plain locals rather than a <c>PgReader</c> and <c>PgSpanWriter</c>: this runs once per row of every
    /// masked result, and the JIT kept those structs in memory, reloading their position after every field. The
    /// failure messages are built out of line for the same reason.
    /// </remarks>
    public static bool TryRewrite(ReadOnlySpan<byte> row, RowPlan plan, ValueRewriter rewriter, MaskingScratch scratch, IBufferWriter<byte> output)
    {
        if (row.Length < 2)
        {
            ThrowHelper.ThrowFieldPastEnd(0, 2, row.Length);
        }

        int count = BinaryPrimitives.ReadInt16BigEndian(row);
        ColumnAction[] columns = plan.Columns;
        if (count != columns.Length)
        {
            ThrowColumnCount(count, columns.Length);
        }

        plan.Rows++;
        scratch.Reset();
        Span<int> slots = scratch.Columns(count);
        bool changed = false;
        long size = 4 + 2;
        int position = 2;
        for (int i = 0; i < columns.Length; i++)
        {
            if (row.Length - position < 4)
            {
                ThrowHelper.ThrowFieldPastEnd(position, 4, row.Length);
            }

            int length = BinaryPrimitives.ReadInt32BigEndian(row.Slice(position));
            int start = position + 4;
            position = start;
            if (length < 0)
            {
                if (length != -1)
                {
                    ThrowColumnLength(length);
                }

                // NULL stays NULL under every rule: the four bytes go on as they are.
                Set(slots, i, FromSource, start, -1);
                size += 4;
                continue;
            }

            if (length > row.Length - start)
            {
                ThrowHelper.ThrowFieldPastEnd(start, length, row.Length);
            }

            position = start + length;
            ref readonly ColumnAction action = ref columns[i];
            if (action.Kind == ColumnActionKind.Pass)
            {
                Set(slots, i, FromSource, start, length);
                size += 4 + length;
                continue;
            }

            switch (rewriter.Apply(row.Slice(start, length), action, scratch, out int offset, out int written))
            {
                case ValueOutcome.Unchanged:
                    Set(slots, i, FromSource, start, length);
                    size += 4 + length;
                    continue;
                case ValueOutcome.Null:
                    Set(slots, i, Null, 0, 0);
                    size += 4;
                    break;
                default:
                    Set(slots, i, FromArena, offset, written);
                    size += 4 + written;
                    break;
            }

            changed = true;
            if (action.Kind == ColumnActionKind.Mask)
            {
                plan.RuleCounts[action.Rule]++;
            }
        }

        if (position != row.Length)
        {
            ThrowTrailingBytes(row.Length - position, position);
        }

        if (!changed)
        {
            return false;
        }

        if (size > int.MaxValue - 1)
        {
            ThrowHelper.ThrowProtocolViolation("a masked DataRow would exceed the protocol's message size");
        }

        int total = (int)size + 1;
        Span<byte> destination = output.GetSpan(total).Slice(0, total);
        destination[0] = (byte)BackendCode.DataRow;
        BinaryPrimitives.WriteInt32BigEndian(destination.Slice(1), (int)size);
        BinaryPrimitives.WriteInt16BigEndian(destination.Slice(5), (short)count);
        int at = 7;

        // Unchanged columns are adjacent in the source, length fields included: each run of them is one copy.
        int runStart = 0;
        int runEnd = 0;
        ReadOnlySpan<byte> arena = scratch.Arena;
        for (int i = 0; i < count; i++)
        {
            int source = slots[3 * i];
            int offset = slots[(3 * i) + 1];
            int length = slots[(3 * i) + 2];
            if (source == FromSource)
            {
                int start = offset - 4;
                if (runEnd != start || runEnd == runStart)
                {
                    row.Slice(runStart, runEnd - runStart).CopyTo(destination.Slice(at));
                    at += runEnd - runStart;
                    runStart = start;
                }

                runEnd = offset + Math.Max(0, length);
                continue;
            }

            row.Slice(runStart, runEnd - runStart).CopyTo(destination.Slice(at));
            at += runEnd - runStart;
            runStart = runEnd = 0;
            if (source == Null)
            {
                BinaryPrimitives.WriteInt32BigEndian(destination.Slice(at), -1);
                at += 4;
                continue;
            }

            BinaryPrimitives.WriteInt32BigEndian(destination.Slice(at), length);
            arena.Slice(offset, length).CopyTo(destination.Slice(at + 4));
            at += 4 + length;
        }

        row.Slice(runStart, runEnd - runStart).CopyTo(destination.Slice(at));
        at += runEnd - runStart;
        if (at != total)
        {
            ThrowSizeMismatch(at, total);
        }

        output.Advance(total);
        return true;
    }

    private static void Set(Span<int> slots, int column, int source, int offset, int length)
    {
        slots[3 * column] = source;
        slots[(3 * column) + 1] = offset;
        slots[(3 * column) + 2] = length;
    }

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowColumnCount(int count, int expected)
        => ThrowHelper.ThrowProtocolViolation($"DataRow with {count} columns in a result of {expected}");

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowColumnLength(int length)
        => ThrowHelper.ThrowProtocolViolation($"DataRow column length {length}");

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowTrailingBytes(int trailing, int offset)
        => ThrowHelper.ThrowProtocolViolation($"{trailing} unexpected trailing bytes after offset {offset}");

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowSizeMismatch(int written, int declared)
        => ThrowHelper.ThrowProtocolViolation($"a masked DataRow wrote {written} bytes, not the {declared} it declared");
}
