using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using Gateway.Core.Configuration;
using Gateway.Core.Protocol.Postgres;
using Gateway.Core.Protocol.Postgres.Messages;
using Gateway.Core.Sessions;
using Gateway.Core.Tests.Authentication;
using Gateway.Core.Transport;
using Gateway.Testing;

namespace Gateway.Core.Tests.Sessions;

/// <summary>
/// The client login of a session over in-memory pipes, up to the authorizer. The SASL mechanism check lives in the
/// session rather than in <c>ScramServerExchange</c>, so PROTO-04's "mechanism not offered" is tested here.
/// </summary>
public sealed class PgSessionTests
{
    private const string Agent = "agent-1";
    private const string Secret = "agent-secret-1";
    private const string ClientFirstBare = "n=,r=fyko+d2lbbFgONRv9qkxdawL";

    [Theory]
    [InlineData("SCRAM-SHA-1")]
    [InlineData("SCRAM-SHA-256-PLUS")]
    [InlineData("scram-sha-256")]
    [InlineData("SCRAM-SHA-256 ")]
    [InlineData("PLAIN")]
    [InlineData("")]
    public async Task RunAsync_SaslMechanismNotOffered_FailsAuthenticationWithTheUsualError(string mechanism)
    {
        var factory = new SessionFactory();
        factory.Authorizer.AddAgent(Agent, Secret, "shop");
        PgSession session = factory.Create(out Pipe fromClient, out Pipe toClient);
        await fromClient.Writer.WriteAsync(Pg.Build().Startup(("user", Agent), ("database", "shop"))
            .SaslInitialResponse(mechanism, Encoding.ASCII.GetBytes("n,," + ClientFirstBare)).ToArray(), TestContext.Current.CancellationToken);
        await fromClient.Writer.CompleteAsync();

        CloseReason reason = await session.RunAsync(TestContext.Current.CancellationToken);

        Assert.Equal(CloseReason.AuthenticationFailed, reason);
        Assert.Contains("mechanism", session.CloseDetail, StringComparison.Ordinal);
        List<(byte Code, byte[] Payload)> sent = await ReadAllAsync(toClient.Reader);
        Assert.Equal("RE"u8.ToArray(), sent.Select(m => m.Code));
        Assert.Equal(AuthenticationRequest.Sasl, AuthenticationRequest.Parse(sent[0].Payload, out ReadOnlySpan<byte> offered));
        Assert.Equal("SCRAM-SHA-256\0\0"u8.ToArray(), offered.ToArray());
        AssertPasswordFailed(sent[1].Payload);
    }

    [Fact]
    public async Task RunAsync_OfferedMechanismAndRightSecret_PassesAuthenticationAndReachesTheAuthorizer()
    {
        // The control for the test above: the same login with the offered mechanism gets past SCRAM. The authorizer
        // knows no target, so the session ends there, before any upstream connection.
        var factory = new SessionFactory();
        factory.Authorizer.AddAgent(Agent, Secret, "shop");
        PgSession session = factory.Create(out Pipe fromClient, out Pipe toClient);
        Task<CloseReason> run = session.RunAsync(TestContext.Current.CancellationToken);
        await fromClient.Writer.WriteAsync(Pg.Build().Startup(("user", Agent), ("database", "shop"))
            .SaslInitialResponse("SCRAM-SHA-256", Encoding.ASCII.GetBytes("n,," + ClientFirstBare)).ToArray(), TestContext.Current.CancellationToken);

        (byte code, byte[] payload) = await ReadFrameAsync(toClient.Reader);
        Assert.Equal(AuthenticationRequest.Sasl, AuthenticationRequest.Parse(payload, out _));
        (code, payload) = await ReadFrameAsync(toClient.Reader);
        Assert.Equal((byte)'R', code);
        Assert.Equal(AuthenticationRequest.SaslContinue, AuthenticationRequest.Parse(payload, out ReadOnlySpan<byte> data));
        string serverFirst = Encoding.ASCII.GetString(data);
        Dictionary<char, string> attributes = ScramMath.Attributes(serverFirst);
        string withoutProof = "c=biws,r=" + attributes['r'];
        (string proof, _) = ScramMath.Sign(Secret, Convert.FromBase64String(attributes['s']), int.Parse(attributes['i'], System.Globalization.CultureInfo.InvariantCulture),
            ClientFirstBare + "," + serverFirst + "," + withoutProof);
        await fromClient.Writer.WriteAsync(Pg.Build().SaslResponse(Encoding.ASCII.GetBytes(withoutProof + ",p=" + proof)).ToArray(), TestContext.Current.CancellationToken);
        await fromClient.Writer.CompleteAsync();

        Assert.Equal(CloseReason.AuthorizationDenied, await run);
        Assert.Equal(Agent, session.Identity);
        List<(byte Code, byte[] Payload)> rest = await ReadAllAsync(toClient.Reader);
        Assert.Equal("E"u8.ToArray(), rest.Select(m => m.Code));
        AssertPasswordFailed(rest[0].Payload);
    }

    private static void AssertPasswordFailed(byte[] errorPayload)
    {
        ErrorResponse.Parse(errorPayload, out ReadOnlySpan<byte> severity, out ReadOnlySpan<byte> sqlState);
        Assert.Equal("FATAL"u8.ToArray(), severity.ToArray());
        Assert.Equal("28P01"u8.ToArray(), sqlState.ToArray());
        string text = Encoding.UTF8.GetString(errorPayload);
        Assert.Contains("password authentication failed for user \"" + Agent + "\"", text, StringComparison.Ordinal);
        Assert.DoesNotContain("mechanism", text, StringComparison.Ordinal);
    }

    private static async Task<(byte Code, byte[] Payload)> ReadFrameAsync(PipeReader reader)
    {
        while (true)
        {
            ReadResult result = await reader.ReadAsync(TestContext.Current.CancellationToken);
            ReadOnlySequence<byte> buffer = result.Buffer;
            if (PgFrameReader.TryReadFrame(ref buffer, PgSide.Backend, PgGatewayOptions.PostgresMaxMessageSize, out byte code, out ReadOnlySequence<byte> payload))
            {
                byte[] bytes = payload.ToArray();
                reader.AdvanceTo(buffer.Start);
                return (code, bytes);
            }

            reader.AdvanceTo(buffer.Start, buffer.End);
            Assert.False(result.IsCompleted, "the session closed the connection before the next message");
        }
    }

    private static async Task<List<(byte Code, byte[] Payload)>> ReadAllAsync(PipeReader reader)
    {
        var messages = new List<(byte, byte[])>();
        while (true)
        {
            ReadResult result = await reader.ReadAsync(TestContext.Current.CancellationToken);
            ReadOnlySequence<byte> buffer = result.Buffer;
            while (PgFrameReader.TryReadFrame(ref buffer, PgSide.Backend, PgGatewayOptions.PostgresMaxMessageSize, out byte code, out ReadOnlySequence<byte> payload))
            {
                messages.Add((code, payload.ToArray()));
            }

            reader.AdvanceTo(buffer.Start, buffer.End);
            if (result.IsCompleted)
            {
                Assert.True(buffer.IsEmpty, "the session wrote a partial message");
                return messages;
            }
        }
    }
}
