using System.Text.Json.Nodes;
using Gateway.Host.Audit;

namespace Gateway.Host.Tests.Audit;

/// <summary>AUD-09: values an agent controls cannot forge a record boundary; each becomes exactly one record and reads back intact.</summary>
public sealed class AuditRecordCodecTests
{
    public static TheoryData<string, string> Values => new()
    {
        { "newline", "SELECT 1;\n{\"seq\":3,\"type\":\"forged\"}\n" },
        { "carriage return", "a\rb\r\n" },
        { "line and paragraph separators", "a\u2028b\u2029c\u0085d" },
        { "quotes and backslashes", "\"},\"hash\":\"00\"}\\\"\\\\" },
        { "NUL and control characters", "a\0b\u0001\u001f\u007f" },
        { "non-ASCII", "Grüße, 名前, 🙂" },
        { "a megabyte", new string('x', 1_000_000) },
        { "a megabyte of newlines", new string('\n', 1_000_000) },
    };

    [Theory]
    [MemberData(nameof(Values))]
    public async Task AppendAsync_HostileValue_OneAsciiLineThatReadsBackIntact(string label, string value)
    {
        using var fixture = new AuditFixture();
        await using (AuditLog log = await fixture.OpenAsync())
        {
            await log.AppendAsync(Hostile(value), CancellationToken.None);
        }

        AssertOneRecordPerLine(fixture, label);
        AuditRecord record = fixture.ReadAllRecords()[1];
        Assert.Equal(value, (string?)record.Data["sql"]);
        Assert.Equal(value, (string?)record.Data["nested"]![0]!["v"]);
        Assert.Equal(value, record.Agent);
        Assert.Equal(value, record.Target);
        Assert.True(fixture.Verify().IsValid);
    }

    [Theory]
    [InlineData("lone high \uD800 surrogate")]
    [InlineData("lone low \uDC00 surrogate")]
    [InlineData("reversed pair \uDC00\uD800")]
    public async Task AppendAsync_InvalidUtf16_OneRecordWithReplacementCharacters(string value)
    {
        using var fixture = new AuditFixture();
        await using (AuditLog log = await fixture.OpenAsync())
        {
            await log.AppendAsync(Hostile(value), CancellationToken.None);
        }

        AssertOneRecordPerLine(fixture, "invalid UTF-16");
        string expected = value.Replace('\uD800', '\uFFFD').Replace('\uDC00', '\uFFFD');
        Assert.Equal(expected, (string?)fixture.ReadAllRecords()[1].Data["sql"]);
        Assert.True(fixture.Verify().IsValid);
    }

    private static AuditEvent Hostile(string value) => new("statement.executed", new JsonObject
    {
        ["sql"] = value,
        ["nested"] = new JsonArray(new JsonObject { ["v"] = value }),
    })
    {
        Agent = value,
        Target = value,
    };

    /// <summary>start, the hostile record, stop: three newlines, and nothing but printable ASCII between them.</summary>
    private static void AssertOneRecordPerLine(AuditFixture fixture, string label)
    {
        byte[] bytes = File.ReadAllBytes(fixture.Segment(1));
        Assert.True(bytes.Count((byte)'\n') == 3, label);
        Assert.All(bytes, b => Assert.True(b == (byte)'\n' || (b >= 0x20 && b < 0x7f), $"{label}: byte 0x{b:x2}"));
    }
}
