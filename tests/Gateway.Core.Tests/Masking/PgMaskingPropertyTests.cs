using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using Gateway.Core.Internal;
using Gateway.Core.Masking;
using Gateway.Core.Protocol.Postgres;
using Gateway.Core.Sessions;
using Gateway.Testing;

namespace Gateway.Core.Tests.Masking;

/// <summary>
/// PROTO-09: random results (RowDescription, DataRows in text and binary format with NULLs, empty, long and
/// multi-byte values, protected values and detector hits, CommandComplete, ReadyForQuery), each message handed to
/// <see cref="PgMasking"/> in random segments, come out as well-formed messages whose every length is consistent;
/// values of unprotected columns that no detector matches are byte-identical; NULL stays NULL; and none of the
/// protected values or detector hits the generator planted appears anywhere in the output.
/// </summary>
public sealed class PgMaskingPropertyTests
{
    private const uint Table = 16500;
    private const int MaxColumns = 12;
    private static readonly uint[] Types = [PgTypeOids.Text, PgTypeOids.Varchar, PgTypeOids.Int4, PgTypeOids.Int8, PgTypeOids.Jsonb, PgTypeOids.Json];
    private static readonly string[] CleanWords = ["alpha", "Beta", "gamma", "north", "south", "ticket", "order", "zürich", "東京", "ok", "n/a", "x", "-", "(", "="];

    [Fact]
    public void MaskRows_RandomResultsInRandomSegments_WellFormedAndNoPlantedValueLeaks()
    {
        var random = new Random(43134114);
        for (int round = 0; round < 300; round++)
        {
            RunRound(random, round);
        }
    }

    private static void RunRound(Random random, int round)
    {
        // The table: MaxColumns attributes with random types; the result selects a random subset in random order.
        uint[] attributeTypes = [.. Enumerable.Range(0, MaxColumns).Select(_ => Types[random.Next(Types.Length)])];
        MaskStyle?[] styles = [.. Enumerable.Range(0, MaxColumns).Select(_ => random.Next(3) == 0 ? (MaskStyle?)(MaskStyle)random.Next(4) : null)];
        var policy = new MaskingPolicy
        {
            Columns = [.. Enumerable.Range(0, MaxColumns).Where(a => styles[a] is not null)
                .Select(a => new ProtectedColumn("public", "t", "c" + a, styles[a]!.Value) { KeepLast = 2 })],
            Detectors = ContentDetectors.All,
            TokenKey = "property test token key, 32 bytes or more"u8.ToArray(),
        };
        var catalogRows = Enumerable.Range(0, MaxColumns)
            .Select(a => new string?[] { Table.ToString(CultureInfo.InvariantCulture), "public", "t", "r", (a + 1).ToString(CultureInfo.InvariantCulture), "c" + a, attributeTypes[a].ToString(CultureInfo.InvariantCulture) })
            .ToList();
        MaskingCatalog catalog = MaskingCatalog.Build(policy, catalogRows, [], [], DateTimeOffset.UnixEpoch);

        int count = random.Next(0, MaxColumns + 1);
        int[] attributes = [.. Enumerable.Range(0, MaxColumns).OrderBy(_ => random.Next()).Take(count)];
        bool[] binary = [.. attributes.Select(_ => random.Next(2) == 0)];
        var planted = new List<byte[]>();
        var server = Pg.Build().RowDescription([.. attributes.Select((a, i) =>
            ("c" + a, (int)Table, (short)(a + 1), (int)attributeTypes[a], (short)-1, -1, (short)(binary[i] ? 1 : 0)))]);
        var rows = new List<Value[]>();
        int rowCount = random.Next(0, 12);
        for (int r = 0; r < rowCount; r++)
        {
            Value[] row = [.. attributes.Select((a, i) => Generate(random, attributeTypes[a], binary[i], styles[a] is not null, planted))];
            rows.Add(row);
            server.DataRow([.. row.Select(v => v.Bytes)]);
        }

        server.CommandComplete("SELECT " + rowCount.ToString(CultureInfo.InvariantCulture)).ReadyForQuery();
        byte[] output = Relay(catalog, server.ToArray(), random);
        string context = $"round {round}: columns [{string.Join(", ", attributes.Select((a, i) => $"c{a} {attributeTypes[a]} {(binary[i] ? "binary" : "text")} {styles[a]?.ToString() ?? "-"}"))}]";

        // Well-formed: the same messages in the same order, every length consistent, read by a parser of this test's own.
        List<(byte Code, byte[] Payload)> messages = ParseFrames(output, context);
        Assert.Equal(rowCount + 3, messages.Count);
        Assert.Equal((byte)'T', messages[0].Code);
        Assert.Equal((byte)'C', messages[^2].Code);
        Assert.Equal((byte)'Z', messages[^1].Code);
        for (int r = 0; r < rowCount; r++)
        {
            Assert.Equal((byte)'D', messages[r + 1].Code);
            byte[]?[] values = ParseDataRow(messages[r + 1].Payload, count, context);
            for (int c = 0; c < count; c++)
            {
                Value sent = rows[r][c];
                byte[]? received = values[c];
                if (sent.Bytes is null)
                {
                    Assert.True(received is null, $"{context}: NULL in row {r} column {c} did not stay NULL");
                }
                else if (sent.Clean)
                {
                    Assert.True(received is not null && received.AsSpan().SequenceEqual(sent.Bytes), $"{context}: untouched value in row {r} column {c} changed");
                }
                else if (styles[attributes[c]] is not null)
                {
                    Assert.False(received is not null && received.AsSpan().SequenceEqual(sent.Bytes), $"{context}: protected value in row {r} column {c} passed unmasked");
                }
            }
        }

        foreach (byte[] value in planted)
        {
            Assert.True(output.AsSpan().IndexOf(value) < 0, $"{context}: planted value '{Encoding.UTF8.GetString(value)}' reached the client");
        }
    }

    /// <summary>Hands every message to a fresh session's hook in random segments, after the client's Query; returns what the client would receive.</summary>
    private static byte[] Relay(MaskingCatalog catalog, byte[] server, Random random)
    {
        using var hook = new PgMasking(() => catalog, new MaskingStatistics());
        using var replacement = new PooledBufferWriter();
        byte[] query = Pg.Build().Query("SELECT * FROM t").ToArray();
        Assert.Equal(PgHookAction.Forward, hook.OnMessage(new PgMessage(PgSide.Frontend, (byte)'Q', Segmented(query.AsSpan(5).ToArray(), random)), replacement));
        var output = new List<byte>();
        int offset = 0;
        while (offset < server.Length)
        {
            int length = BinaryPrimitives.ReadInt32BigEndian(server.AsSpan(offset + 1));
            byte[] frame = server.AsSpan(offset, length + 1).ToArray();
            replacement.Reset();
            PgHookAction action = hook.OnMessage(new PgMessage(PgSide.Backend, frame[0], Segmented(frame[5..], random)), replacement);
            output.AddRange(action == PgHookAction.Forward ? frame : replacement.WrittenMemory.ToArray());
            offset += length + 1;
        }

        return [.. output];
    }

    /// <summary>The payload whole, or cut at 1-3 random points (empty segments included), or one byte per segment.</summary>
    private static ReadOnlySequence<byte> Segmented(byte[] payload, Random random)
    {
        switch (random.Next(4))
        {
            case 0:
                return new ReadOnlySequence<byte>(payload);
            case 1 when payload.Length is > 1 and < 600:
                return Segmentations.Create([.. payload.Select(b => new[] { b })]);
            default:
                int[] cuts = [.. Enumerable.Range(0, random.Next(1, 4)).Select(_ => random.Next(0, payload.Length + 1)).Order()];
                var segments = new List<byte[]>();
                int previous = 0;
                foreach (int cut in cuts)
                {
                    segments.Add(payload[previous..cut]);
                    previous = cut;
                }

                segments.Add(payload[previous..]);
                return Segmentations.Create([.. segments]);
        }
    }

    private static List<(byte Code, byte[] Payload)> ParseFrames(byte[] output, string context)
    {
        var messages = new List<(byte, byte[])>();
        int offset = 0;
        while (offset < output.Length)
        {
            Assert.True(output.Length - offset >= 5, $"{context}: a truncated header at {offset}");
            int length = BinaryPrimitives.ReadInt32BigEndian(output.AsSpan(offset + 1));
            Assert.True(length >= 4 && offset + 1 + length <= output.Length, $"{context}: message length {length} at {offset} does not fit the {output.Length} bytes");
            messages.Add((output[offset], output.AsSpan(offset + 5, length - 4).ToArray()));
            offset += 1 + length;
        }

        return messages;
    }

    private static byte[]?[] ParseDataRow(byte[] payload, int columns, string context)
    {
        Assert.True(payload.Length >= 2, context);
        Assert.Equal(columns, BinaryPrimitives.ReadInt16BigEndian(payload));
        var values = new byte[]?[columns];
        int offset = 2;
        for (int c = 0; c < columns; c++)
        {
            Assert.True(payload.Length - offset >= 4, $"{context}: DataRow ends inside column {c}'s length");
            int length = BinaryPrimitives.ReadInt32BigEndian(payload.AsSpan(offset));
            offset += 4;
            Assert.True(length >= -1 && (length < 0 || payload.Length - offset >= length), $"{context}: column {c} length {length} with {payload.Length - offset} bytes left");
            values[c] = length < 0 ? null : payload.AsSpan(offset, length).ToArray();
            offset += Math.Max(0, length);
        }

        Assert.True(offset == payload.Length, $"{context}: {payload.Length - offset} bytes after the last column of a DataRow");
        return values;
    }

    /// <summary>
    /// A value for a column: NULL, or clean (no detector can match it), or holding a planted value (a protected
    /// column's own value, or a detector hit inside an unprotected one), which is added to <paramref name="planted"/>.
    /// </summary>
    private static Value Generate(Random random, uint type, bool binary, bool isProtected, List<byte[]> planted)
    {
        int pick = random.Next(10);
        if (pick == 0)
        {
            return new Value(null, Clean: true);
        }

        if (type is PgTypeOids.Int4 or PgTypeOids.Int8)
        {
            // Small numbers are clean; a protected number (any) must not arrive.
            long number = isProtected && pick < 6 ? 4111111111111111 % (type == PgTypeOids.Int4 ? int.MaxValue : long.MaxValue) + random.Next(1000) : random.Next(-99999, 99999);
            byte[] bytes = binary
                ? type == PgTypeOids.Int4 ? BigEndian32((int)number) : BigEndian64(number)
                : Encoding.ASCII.GetBytes(number.ToString(CultureInfo.InvariantCulture));
            return new Value(bytes, Clean: !isProtected);
        }

        string text;
        bool clean = !isProtected;
        if (pick == 1)
        {
            text = string.Empty;
        }
        else if (isProtected || pick <= 4)
        {
            // A planted value: what a protected column holds, or a detector hit in an unprotected one.
            string secret = (random.Next(5) switch
            {
                0 => PiiCorpus.Email(random),
                1 => PiiCorpus.Card(random),
                2 => PiiCorpus.Ssn(random),
                3 => PiiCorpus.Iban(random),
                _ => PiiCorpus.AwsKeyId(random),
            });
            planted.Add(Encoding.UTF8.GetBytes(secret));
            text = Words(random, random.Next(0, 4)) + " " + secret + " " + Words(random, random.Next(0, 4));
            clean = false;
        }
        else
        {
            text = Words(random, pick == 9 ? random.Next(2000, 5000) : random.Next(1, 12));
        }

        if (type is PgTypeOids.Jsonb or PgTypeOids.Json)
        {
            text = System.Text.Json.JsonSerializer.Serialize(text);
        }

        byte[] utf8 = Encoding.UTF8.GetBytes(text);
        return new Value(type == PgTypeOids.Jsonb && binary ? [1, .. utf8] : utf8, clean);
    }

    private static string Words(Random random, int count)
    {
        var text = new StringBuilder();
        for (int i = 0; i < count; i++)
        {
            text.Append(i == 0 ? string.Empty : " ").Append(CleanWords[random.Next(CleanWords.Length)]);
        }

        return text.ToString();
    }

    private static byte[] BigEndian32(int value)
    {
        byte[] bytes = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(bytes, value);
        return bytes;
    }

    private static byte[] BigEndian64(long value)
    {
        byte[] bytes = new byte[8];
        BinaryPrimitives.WriteInt64BigEndian(bytes, value);
        return bytes;
    }

    private readonly record struct Value(byte[]? Bytes, bool Clean);
}
