using System.Buffers;
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
    public static bool TryRewrite(ReadOnlySpan<byte> row, RowPlan plan, ValueRewriter rewriter, MaskingScratch scratch, IBufferWriter<byte> output)
    {
        var reader = new PgReader(row);
        int count = reader.ReadInt16();
        ColumnAction[] columns = plan.Columns;
        if (count != columns.Length)
        {
            ThrowHelper.ThrowProtocolViolation($"DataRow with {count} columns in a result of {columns.Length}");
        }

        plan.Rows++;
        scratch.Reset();
        Span<int> slots = scratch.Columns(count);
        bool changed = false;
        long size = 4 + 2;
        for (int i = 0; i < count; i++)
        {
            int length = reader.ReadInt32();
            int start = reader.Position;
            if (length < 0)
            {
                if (length != -1)
                {
                    ThrowHelper.ThrowProtocolViolation($"DataRow column length {length}");
                }

                // NULL stays NULL under every rule: the four bytes go on as they are.
                Set(slots, i, FromSource, start, -1);
                size += 4;
                continue;
            }

            ReadOnlySpan<byte> value = reader.ReadBytes(length);
            ref readonly ColumnAction action = ref columns[i];
            if (action.Kind == ColumnActionKind.Pass)
            {
                Set(slots, i, FromSource, start, length);
                size += 4 + length;
                continue;
            }

            switch (rewriter.Apply(value, action, scratch, out int offset, out int written))
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

        reader.VerifyAtEnd();
        if (!changed)
        {
            return false;
        }

        if (size > int.MaxValue - 1)
        {
            ThrowHelper.ThrowProtocolViolation("a masked DataRow would exceed the protocol's message size");
        }

        Span<byte> destination = output.GetSpan((int)size + 1);
        var writer = new PgSpanWriter(destination);
        writer.WriteByte((byte)BackendCode.DataRow);
        writer.WriteInt32((int)size);
        writer.WriteInt16((short)count);

        // Unchanged columns are adjacent in the source, length fields included: each run of them is one copy.
        int runStart = 0;
        int runEnd = 0;
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
                    writer.WriteBytes(row.Slice(runStart, runEnd - runStart));
                    runStart = start;
                }

                runEnd = offset + Math.Max(0, length);
                continue;
            }

            writer.WriteBytes(row.Slice(runStart, runEnd - runStart));
            runStart = runEnd = 0;
            if (source == Null)
            {
                writer.WriteInt32(-1);
                continue;
            }

            writer.WriteInt32(length);
            writer.WriteBytes(scratch.Slice(offset, length));
        }

        writer.WriteBytes(row.Slice(runStart, runEnd - runStart));
        if (writer.Position != (int)size + 1)
        {
            ThrowHelper.ThrowProtocolViolation($"a masked DataRow wrote {writer.Position} bytes, not the {(int)size + 1} it declared");
        }

        output.Advance((int)size + 1);
        return true;
    }

    private static void Set(Span<int> slots, int column, int source, int offset, int length)
    {
        slots[3 * column] = source;
        slots[(3 * column) + 1] = offset;
        slots[(3 * column) + 2] = length;
    }
}
