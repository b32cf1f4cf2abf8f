using System.Net.Security;
using System.Text;
using Gateway.Core.Configuration;
using Gateway.Core.Transport;
using Gateway.Testing;
using Npgsql;

namespace Gateway.Core.IntegrationTests.Sessions;

/// <summary>The protocol attack cases from reliability.md §2 (PROTO-01, -04, -07), sent over a real socket.</summary>
public sealed class ProtocolAttackTests(PostgresServer postgres) : IAsyncLifetime
{
    private static readonly byte[] Marker = Encoding.ASCII.GetBytes("SECRET-ROW-DATA");
    private GatewayRig _rig = null!;

    public ValueTask InitializeAsync()
    {
        _rig = GatewayRig.Start(postgres, listener: new PgListenerOptions
        {
            Tls = new SslServerAuthenticationOptions { ServerCertificate = postgres.Certificates.Server },
        });
        return ValueTask.CompletedTask;
    }

    public ValueTask DisposeAsync() => _rig.DisposeAsync();

    [Fact]
    public async Task SslRequest_WithStartupAndQueryInSameWrite_ClosedWith08P01BeforeAuthentication()
    {
        // PROTO-01 / CVE-2021-23214: plaintext injected behind SSLRequest must not be processed as if encrypted.
        await using WireClient client = await WireClient.ConnectAsync(_rig.Port);
        await client.SendAsync(Pg.Build().SslRequest().Startup(("user", GatewayRig.Agent), ("database", GatewayRig.Target)).Query("SELECT 1"));
        var error = await client.ReadMessageAsync();
        Assert.Equal('E', error!.Value.Code);
        Assert.Equal("08P01", WireClient.Fields(error.Value.Payload)['C']);
        Assert.True(await client.IsClosedAsync());
        Assert.Empty(_rig.Observer.Open);
        Assert.Empty(_rig.Observer.Closed);
    }

    [Fact]
    public async Task GssEncRequest_WithStartupInSameWrite_ClosedWith08P01()
    {
        await using WireClient client = await WireClient.ConnectAsync(_rig.Port);
        await client.SendAsync(Pg.Build().GssEncRequest().Startup(("user", GatewayRig.Agent), ("database", GatewayRig.Target)));
        var error = await client.ReadMessageAsync();
        Assert.Equal("08P01", WireClient.Fields(error!.Value.Payload)['C']);
        Assert.True(await client.IsClosedAsync());
    }

    [Fact]
    public async Task SslRequest_PlaintextInSecondWriteBeforeClientHello_HandshakeFailsAndNothingIsForwarded()
    {
        await using WireClient client = await WireClient.ConnectAsync(_rig.Port);
        await client.SendAsync(Pg.Build().SslRequest());
        Assert.Equal((byte)'S', await client.ReadByteAsync());
        await client.SendAsync(Pg.Build().Startup(("user", GatewayRig.Agent), ("database", GatewayRig.Target)).Query("SELECT 1"));
        Assert.True(await client.IsClosedAsync());
        Assert.Empty(_rig.Observer.Open);
    }

    [Fact]
    public async Task GssEncRequest_AnsweredN_ThenNormalLoginWorks()
    {
        await using WireClient client = await WireClient.ConnectAsync(_rig.Port);
        await client.SendAsync(Pg.Build().GssEncRequest());
        Assert.Equal((byte)'N', await client.ReadByteAsync());
        var messages = await client.LoginAsync(GatewayRig.Agent, GatewayRig.AgentSecret, GatewayRig.Target);
        Assert.Equal('Z', messages[^1].Code);
    }

    [Fact]
    public async Task SslRequest_Twice_IsAProtocolViolation()
    {
        await using WireClient client = await WireClient.ConnectAsync(_rig.Port);
        var rig = GatewayRig.Start(postgres);
        await using (rig)
        {
            await using WireClient plain = await WireClient.ConnectAsync(rig.Port);
            await plain.SendAsync(Pg.Build().SslRequest());
            Assert.Equal((byte)'N', await plain.ReadByteAsync());
            await plain.SendAsync(Pg.Build().SslRequest());
            var error = await plain.ReadMessageAsync();
            Assert.Equal("08P01", WireClient.Fields(error!.Value.Payload)['C']);
        }
    }

    [Fact]
    public async Task DirectTls_FirstByte0x16_RefusedWithClearErrorNotParsedAsLength()
    {
        await using WireClient client = await WireClient.ConnectAsync(_rig.Port);
        await client.SendAsync([0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03]);
        var error = await client.ReadMessageAsync();
        Assert.Contains("direct TLS", WireClient.Fields(error!.Value.Payload)['M'], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(2, 0)]
    [InlineData(3, 99)]
    [InlineData(4, 0)]
    public async Task StartupMessage_UnsupportedMajorVersion_RefusedWith0A000(int major, int minor)
    {
        await using WireClient client = await WireClient.ConnectAsync(_rig.Port);
        if (major == 3)
        {
            // 3.99: a newer minor version is negotiated down, not refused.
            await client.SendAsync(Pg.Build().Startup((3 << 16) | minor, ("user", GatewayRig.Agent), ("database", GatewayRig.Target), ("_pq_.future", "1")));
            var negotiate = await client.ReadMessageAsync();
            Assert.Equal('v', negotiate!.Value.Code);
            Assert.Equal(3 << 16, System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(negotiate.Value.Payload));
            Assert.Contains("_pq_.future", Encoding.UTF8.GetString(negotiate.Value.Payload), StringComparison.Ordinal);
            Assert.Equal('R', (await client.ReadMessageAsync())!.Value.Code);
            return;
        }

        await client.SendAsync(Pg.Build().Startup((major << 16) | minor, ("user", GatewayRig.Agent)));
        var error = await client.ReadMessageAsync();
        Assert.Equal("0A000", WireClient.Fields(error!.Value.Payload)['C']);
        Assert.True(await client.IsClosedAsync());
    }

    public static TheoryData<string, byte[]> MalformedSaslMessages => new()
    {
        { "data length 0", Pg.Build().SaslInitialResponse("SCRAM-SHA-256", []).ToArray() },
        { "data length negative", Pg.Build().Message('p', b => b.CString("SCRAM-SHA-256").Int32(-1)).ToArray() },
        { "data length 2^31-1", Pg.Build().Message('p', b => b.CString("SCRAM-SHA-256").Int32(int.MaxValue).Bytes(Marker)).ToArray() },
        { "data length past the message", Pg.Build().Message('p', b => b.CString("SCRAM-SHA-256").Int32(100).Bytes(Marker)).ToArray() },
        { "mechanism not offered", Pg.Build().SaslInitialResponse("SCRAM-SHA-256-PLUS", Encoding.ASCII.GetBytes("p=tls-server-end-point,,n=,r=abc")).ToArray() },
        { "channel binding required", Pg.Build().SaslInitialResponse("SCRAM-SHA-256", Encoding.ASCII.GetBytes("p=tls-server-end-point,,n=,r=abc")).ToArray() },
        { "not SASL at all", Pg.Build().Query("SELECT 1").ToArray() },
        { "message length 2^31-1", Pg.Build().MessageWithLength('p', int.MaxValue, Marker).ToArray() },
    };

    [Theory]
    [MemberData(nameof(MalformedSaslMessages))]
    public async Task SaslInitialResponse_Malformed_ClosesWithErrorAndGatewayStaysUp(string name, byte[] message)
    {
        await using (WireClient client = await WireClient.ConnectAsync(_rig.Port))
        {
            await client.SendAsync(Pg.Build().Startup(("user", GatewayRig.Agent), ("database", GatewayRig.Target)));
            Assert.Equal('R', (await client.ReadMessageAsync())!.Value.Code);
            await client.SendAsync(message);
            var error = await client.ReadMessageAsync();
            Assert.True(error is { Code: 'E' }, name);
            Dictionary<char, string> fields = WireClient.Fields(error!.Value.Payload);
            Assert.Contains(fields['C'], new[] { "08P01", "28P01", "54000" });
            Assert.DoesNotContain("SECRET-ROW-DATA", fields['M'], StringComparison.Ordinal);
            Assert.True(await client.IsClosedAsync(), name);
        }

        await using NpgsqlConnection healthy = await _rig.OpenAsync();
        Assert.Equal(System.Data.ConnectionState.Open, healthy.State);
    }

    public static TheoryData<string, byte[], CloseReason> MalformedFrames => new()
    {
        { "length 0", Pg.Build().MessageWithLength('Q', 0, Marker).ToArray(), CloseReason.ClientProtocolViolation },
        { "length 3", Pg.Build().MessageWithLength('Q', 3, Marker).ToArray(), CloseReason.ClientProtocolViolation },
        { "Sync with a body", Pg.Build().MessageWithLength('S', 8, Marker.AsSpan(0, 4)).ToArray(), CloseReason.ClientProtocolViolation },
        { "negative 0x80000000", Pg.Build().MessageWithLength('Q', int.MinValue, Marker).ToArray(), CloseReason.ClientProtocolViolation },
        { "negative 0xFFFFFFFF", Pg.Build().MessageWithLength('Q', -1, Marker).ToArray(), CloseReason.ClientProtocolViolation },
        { "0x7FFFFFFF", Pg.Build().MessageWithLength('Q', int.MaxValue, Marker).ToArray(), CloseReason.MessageTooLarge },
        { "unknown type", Pg.Build().MessageWithLength('!', 19, Marker).ToArray(), CloseReason.ClientProtocolViolation },
    };

    [Theory]
    [MemberData(nameof(MalformedFrames))]
    public async Task Frame_MalformedAfterLogin_ClosesWithReasonAndNoPayloadInErrors(string name, byte[] frame, CloseReason expected)
    {
        await using WireClient client = await WireClient.ConnectAsync(_rig.Port);
        var login = await client.LoginAsync(GatewayRig.Agent, GatewayRig.AgentSecret, GatewayRig.Target);
        Assert.Equal('Z', login[^1].Code);
        await client.SendAsync(frame);
        var error = await client.ReadMessageAsync();
        Assert.True(error is { Code: 'E' }, name);
        Assert.DoesNotContain("SECRET-ROW-DATA", WireClient.Fields(error!.Value.Payload)['M'], StringComparison.Ordinal);
        Assert.True(await client.IsClosedAsync(), name);
        var closed = await _rig.Observer.WaitForCloseAsync(s => s.CloseReason == expected);
        Assert.DoesNotContain("SECRET-ROW-DATA", closed.CloseDetail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Frame_TruncatedThenClientCloses_EndsWithEndOfStreamNotHang()
    {
        await using (WireClient client = await WireClient.ConnectAsync(_rig.Port))
        {
            await client.LoginAsync(GatewayRig.Agent, GatewayRig.AgentSecret, GatewayRig.Target);
            await client.SendAsync(Pg.Build().MessageWithLength('Q', 100, Marker).ToArray());
        }

        var closed = await _rig.Observer.WaitForCloseAsync(s => s.CloseReason == CloseReason.ClientEndOfStream);
        Assert.Contains("middle of a message", closed.CloseDetail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartupPacket_LongerThan10000Bytes_Refused()
    {
        await using WireClient client = await WireClient.ConnectAsync(_rig.Port);
        await client.SendAsync(Pg.Build().Startup(("user", GatewayRig.Agent), ("application_name", new string('a', 10_001))));
        var error = await client.ReadMessageAsync();
        Assert.Equal("08P01", WireClient.Fields(error!.Value.Payload)['C']);
    }

    [Fact]
    public async Task PreAuthMessage_LongerThan10000Bytes_RefusedBeforeBuffering()
    {
        await using WireClient client = await WireClient.ConnectAsync(_rig.Port);
        await client.SendAsync(Pg.Build().Startup(("user", GatewayRig.Agent), ("database", GatewayRig.Target)));
        Assert.Equal('R', (await client.ReadMessageAsync())!.Value.Code);
        await client.SendAsync(Pg.Build().MessageWithLength('p', 10_001, Marker).ToArray());
        var error = await client.ReadMessageAsync();
        Assert.Equal('E', error!.Value.Code);
        Assert.True(await client.IsClosedAsync());
    }
}
