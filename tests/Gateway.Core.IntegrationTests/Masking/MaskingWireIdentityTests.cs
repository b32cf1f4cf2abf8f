using Gateway.Testing;

namespace Gateway.Core.IntegrationTests.Masking;

/// <summary>
/// Zero copy, checked on the wire: the same statements sent straight to PostgreSQL and through the masked gateway
/// (with every content detector on) give byte-identical RowDescription, DataRow, CommandComplete and ReadyForQuery
/// messages for unprotected tables and columns, in text format (simple protocol) and binary format (extended
/// protocol), and different bytes for protected columns.
/// </summary>
public sealed class MaskingWireIdentityTests(PostgresServer postgres) : IAsyncLifetime
{
    /// <summary>
    /// Unprotected data: plain columns of a table that has protected ones; a table without any, with expressions
    /// (which a statement that names no protected data leaves to the detectors), NULL, an empty string and types
    /// that text and binary formats lay out differently; and a view of it.
    /// </summary>
    private const string UnprotectedSql = "SELECT id, name, country, notes FROM customers ORDER BY id";

    private const string OrdersSql =
        "SELECT id, customer_id, total, id::int8 AS big, total * 2 AS twice, NULL::text AS nothing, '' AS empty, now() > '2000-01-01' AS later FROM orders ORDER BY id";

    private const string ViewSql = "SELECT id, total FROM order_totals ORDER BY id";

    private MaskedGateway _gateway = null!;

    public async ValueTask InitializeAsync() => _gateway = await MaskedGateway.StartAsync(postgres);

    public ValueTask DisposeAsync() => _gateway.DisposeAsync();

    [Theory]
    [InlineData(UnprotectedSql)]
    [InlineData(OrdersSql)]
    [InlineData(ViewSql)]
    public async Task TextFormat_UnprotectedData_ByteIdenticalToDirect(string sql)
    {
        List<(char Code, byte[] Payload)> direct = await QueryAsync(await DirectAsync(), sql, binary: false);
        List<(char Code, byte[] Payload)> masked = await QueryAsync(await ThroughGatewayAsync(), sql, binary: false);

        AssertResult(direct);
        AssertIdentical(direct, masked);
    }

    [Theory]
    [InlineData(UnprotectedSql)]
    [InlineData(OrdersSql)]
    [InlineData(ViewSql)]
    public async Task BinaryFormat_UnprotectedData_ByteIdenticalToDirect(string sql)
    {
        List<(char Code, byte[] Payload)> direct = await QueryAsync(await DirectAsync(), sql, binary: true);
        List<(char Code, byte[] Payload)> masked = await QueryAsync(await ThroughGatewayAsync(), sql, binary: true);

        AssertResult(direct);
        AssertIdentical(direct, masked);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ProtectedColumns_DifferFromDirect_WhileUnprotectedOnesInTheSameRowsDoNot(bool binary)
    {
        const string Sql = "SELECT id, email, name, ssn, phone FROM customers ORDER BY id";
        List<(char Code, byte[] Payload)> direct = await QueryAsync(await DirectAsync(), Sql, binary);
        List<(char Code, byte[] Payload)> masked = await QueryAsync(await ThroughGatewayAsync(), Sql, binary);

        List<byte[]?[]> directRows = Rows(direct);
        List<byte[]?[]> maskedRows = Rows(masked);
        Assert.Equal(MaskingDatabase.Customers, directRows.Count);
        Assert.Equal(directRows.Count, maskedRows.Count);
        for (int r = 0; r < directRows.Count; r++)
        {
            foreach (int unprotected in (int[])[0, 2])
            {
                Assert.Equal(directRows[r][unprotected], maskedRows[r][unprotected]);
            }

            foreach (int protectedColumn in (int[])[1, 3, 4])
            {
                Assert.NotEqual(directRows[r][protectedColumn], maskedRows[r][protectedColumn]);
            }
        }
    }

    private async Task<WireClient> DirectAsync()
    {
        WireClient client = await WireClient.ConnectAsync(postgres.Port);
        Assert.Equal('Z', (await client.LoginAsync(MaskingDatabase.Reader, MaskingDatabase.ReaderPassword, MaskingDatabase.Name))[^1].Code);
        return client;
    }

    private async Task<WireClient> ThroughGatewayAsync()
    {
        WireClient client = await WireClient.ConnectAsync(_gateway.Rig.Port);
        Assert.Equal('Z', (await client.LoginAsync(GatewayRig.Agent, GatewayRig.AgentSecret, GatewayRig.Target))[^1].Code);
        return client;
    }

    /// <summary>
    /// Text: a simple Query. Binary: Parse, Bind with all results binary, Describe of the portal, Execute, Sync.
    /// Returns every message of the answer up to ReadyForQuery.
    /// </summary>
    private static async Task<List<(char Code, byte[] Payload)>> QueryAsync(WireClient client, string sql, bool binary)
    {
        await using (client)
        {
            await client.SendAsync(binary
                ? Pg.Build().Parse(string.Empty, sql).Bind(string.Empty, string.Empty, [], [], [1]).Describe('P', string.Empty).Execute(string.Empty).Sync()
                : Pg.Build().Query(sql));
            return await client.ReadUntilReadyAsync();
        }
    }

    private static void AssertResult(List<(char Code, byte[] Payload)> messages)
    {
        Assert.DoesNotContain(messages, m => m.Code == 'E');
        Assert.Contains(messages, m => m.Code == 'T');
        Assert.True(messages.Count(m => m.Code == 'D') >= MaskingDatabase.Customers, "the result has a row per customer");
    }

    private static void AssertIdentical(List<(char Code, byte[] Payload)> direct, List<(char Code, byte[] Payload)> masked)
    {
        Assert.Equal(direct.Select(m => m.Code), masked.Select(m => m.Code));
        for (int i = 0; i < direct.Count; i++)
        {
            Assert.True(direct[i].Payload.AsSpan().SequenceEqual(masked[i].Payload),
                $"message {i} ('{direct[i].Code}') differs: direct {Convert.ToHexString(direct[i].Payload)}, through the gateway {Convert.ToHexString(masked[i].Payload)}");
        }
    }

    private static List<byte[]?[]> Rows(List<(char Code, byte[] Payload)> messages)
    {
        var rows = new List<byte[]?[]>();
        foreach ((char code, byte[] payload) in messages)
        {
            if (code != 'D')
            {
                continue;
            }

            int columns = System.Buffers.Binary.BinaryPrimitives.ReadInt16BigEndian(payload);
            var row = new byte[]?[columns];
            int offset = 2;
            for (int c = 0; c < columns; c++)
            {
                int length = System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(payload.AsSpan(offset));
                offset += 4;
                row[c] = length < 0 ? null : payload.AsSpan(offset, length).ToArray();
                offset += Math.Max(0, length);
            }

            rows.Add(row);
        }

        return rows;
    }
}
