using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using Gateway.Core.Internal;
using Gateway.Core.Masking;
using Gateway.Core.Protocol.Postgres;
using Gateway.Core.Sessions;
using Gateway.Testing;

namespace Gateway.Core.Tests.Masking;

/// <summary>
/// A session reuses the plan of a RowDescription it has seen (so steady traffic allocates nothing per result), but
/// never across a catalog reload, a change of taint, or a relation the catalog does not know.
/// </summary>
public sealed class PgMaskingPlanReuseTests
{
    private const uint Table = 16600;

    [Fact]
    public void SameRowDescription_SameCatalog_MaskedAlikeEveryTime()
    {
        MaskingCatalog catalog = Catalog(protectEmail: true);
        using var hook = new PgMasking(() => catalog, new MaskingStatistics());
        for (int i = 0; i < 3; i++)
        {
            Assert.Equal("[redacted]|Ann", Result(hook, "SELECT email, name FROM t", Table));
        }
    }

    [Fact]
    public void SameRowDescription_CatalogReloaded_NewRulesApply()
    {
        MaskingCatalog catalog = Catalog(protectEmail: false);
        using var hook = new PgMasking(() => catalog, new MaskingStatistics());
        Assert.Equal("ann at home|Ann", Result(hook, "SELECT email, name FROM t", Table));

        catalog = Catalog(protectEmail: true);
        Assert.Equal("[redacted]|Ann", Result(hook, "SELECT email, name FROM t", Table));

        catalog = Catalog(protectEmail: false);
        Assert.Equal("ann at home|Ann", Result(hook, "SELECT email, name FROM t", Table));
    }

    [Fact]
    public void SameRowDescription_UnknownRelation_ReportedForEveryResult()
    {
        MaskingCatalog catalog = Catalog(protectEmail: false);
        var unknown = new List<uint>();
        using var hook = new PgMasking(() => catalog, new MaskingStatistics(), unknown.Add);
        for (int i = 0; i < 3; i++)
        {
            Assert.Equal("[redacted]|[redacted]", Result(hook, "SELECT email, name FROM other", Table + 1));
        }

        Assert.Equal([Table + 1, Table + 1, Table + 1, Table + 1, Table + 1, Table + 1], unknown);
    }

    private static MaskingCatalog Catalog(bool protectEmail)
    {
        var policy = new MaskingPolicy
        {
            Columns = protectEmail ? [new ProtectedColumn("public", "t", "email")] : [new ProtectedColumn("public", "t", "ssn")],
            Detectors = ContentDetectors.All,
        };
        string table = Table.ToString(CultureInfo.InvariantCulture);
        return MaskingCatalog.Build(policy, [[table, "public", "t", "r", "1", "email", "25"], [table, "public", "t", "r", "2", "name", "25"], [table, "public", "t", "r", "3", "ssn", "25"]], [], [], DateTimeOffset.UnixEpoch);
    }

    /// <summary>One simple-query result of one row ("ann at home", "Ann") from columns 1 and 2 of <paramref name="table"/>; the values the client gets.</summary>
    private static string Result(PgMasking hook, string sql, uint table)
    {
        using var replacement = new PooledBufferWriter();
        Send(hook, PgSide.Frontend, Pg.Build().Query(sql).ToArray(), replacement);
        Send(hook, PgSide.Backend, Pg.Build().RowDescription(("email", (int)table, 1, 25, -1, -1, 0), ("name", (int)table, 2, 25, -1, -1, 0)).ToArray(), replacement);
        byte[] row = Pg.Build().DataRow("ann at home"u8.ToArray(), "Ann"u8.ToArray()).ToArray();
        byte[] sent = Send(hook, PgSide.Backend, row, replacement);
        Send(hook, PgSide.Backend, Pg.Build().CommandComplete("SELECT 1").ToArray(), replacement);
        Send(hook, PgSide.Backend, Pg.Build().ReadyForQuery().ToArray(), replacement);

        var values = new string?[BinaryPrimitives.ReadInt16BigEndian(sent.AsSpan(5))];
        int offset = 7;
        for (int i = 0; i < values.Length; i++)
        {
            int length = BinaryPrimitives.ReadInt32BigEndian(sent.AsSpan(offset));
            offset += 4;
            values[i] = length < 0 ? null : System.Text.Encoding.UTF8.GetString(sent, offset, length);
            offset += Math.Max(0, length);
        }

        return string.Join("|", values.Select(v => v ?? "NULL"));
    }

    private static byte[] Send(PgMasking hook, PgSide side, byte[] frame, PooledBufferWriter replacement)
    {
        replacement.Reset();
        PgHookAction action = hook.OnMessage(new PgMessage(side, frame[0], new ReadOnlySequence<byte>(frame, 5, frame.Length - 5)), replacement);
        return action == PgHookAction.Forward ? frame : replacement.WrittenMemory.ToArray();
    }
}
