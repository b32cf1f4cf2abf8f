using System.Text;
using Gateway.Core.Protocol.Postgres;
using Gateway.Testing;

namespace Gateway.Core.Tests.Protocol.Postgres.Messages;

/// <summary>Builds a message payload (the bytes after the length field) and checks violations for leaked bytes.</summary>
internal static class Payload
{
    public const string Marker = WireFixtures.Marker;

    public static byte[] Of(Action<Pg.Body> build)
    {
        var body = new Pg.Body();
        build(body);
        return [.. body.Content];
    }

    public static byte[] Ascii(string text) => Encoding.ASCII.GetBytes(text);

    /// <summary>Asserts a violation and that its message does not quote the payload's marker.</summary>
    public static PgProtocolException Violation(Action parse)
    {
        var violation = Assert.Throws<PgProtocolException>(parse);
        Assert.DoesNotContain(Marker, violation.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("SECRET", violation.Message, StringComparison.OrdinalIgnoreCase);
        Assert.False(violation.MessageTooLarge);
        return violation;
    }
}
