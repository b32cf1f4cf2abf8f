using System.Diagnostics;
using System.Globalization;
using System.Text;
using Gateway.Core.Authentication;

namespace Gateway.Core.Tests.Authentication;

/// <summary>
/// The gateway's client half of SCRAM-SHA-256, which logs in upstream, against a server simulated in the test. The
/// upstream is untrusted too: nonce length, salt and iteration count are bounded (CVE-2026-6665 class, PROTO-04).
/// </summary>
public sealed class ScramClientExchangeTests
{
    private const string Marker = "SECRET-ROW-DATA";
    private const int MaxIterations = 100_000;

    [Fact]
    public void CreateClientFirst_NewExchange_HasNoChannelBindingAnEmptyUserAndAFreshNonce()
    {
        string first = Encoding.ASCII.GetString(NewClient().CreateClientFirst());
        string second = Encoding.ASCII.GetString(NewClient().CreateClientFirst());

        Assert.StartsWith("n,,n=,r=", first, StringComparison.Ordinal);
        string nonce = first["n,,n=,r=".Length..];
        Assert.True(nonce.Length >= 18);
        Assert.All(nonce, c => Assert.True(c is > ' ' and <= '~' and not ','));
        Assert.NotEqual(first, second);
    }

    [Fact]
    public void Exchange_ServerKnowingThePassword_SucceedsAndTheProofVerifies()
    {
        ScramClientExchange client = NewClient();
        string clientNonce = ClientNonce(client);
        string serverFirst = ServerFirst(clientNonce + Rfc7677.ServerNonceSuffix);

        Assert.True(client.TryHandleServerFirst(Ascii(serverFirst), out byte[] clientFinalBytes, out string failure), failure);

        string clientFinal = Encoding.ASCII.GetString(clientFinalBytes);
        string withoutProof = "c=biws,r=" + clientNonce + Rfc7677.ServerNonceSuffix;
        Assert.StartsWith(withoutProof + ",p=", clientFinal, StringComparison.Ordinal);
        string authMessage = "n=,r=" + clientNonce + "," + serverFirst + "," + withoutProof;
        (string expectedProof, string serverSignature) = ScramMath.Sign(Rfc7677.Password, Rfc7677.Salt, Rfc7677.Iterations, authMessage);
        Assert.Equal(expectedProof, clientFinal[(withoutProof.Length + 3)..]);

        Assert.True(client.TryHandleServerFinal(Ascii("v=" + serverSignature), out failure), failure);
    }

    [Fact]
    public void Exchange_AgainstTheGatewaysOwnServerHalf_Succeeds()
    {
        var server = new ScramServerExchange(ScramVerifier.Create(Rfc7677.Password, Rfc7677.Salt, Rfc7677.Iterations), isDecoy: false);
        ScramClientExchange client = NewClient();

        Assert.True(server.TryHandleClientFirst(client.CreateClientFirst(), out byte[] serverFirst, out string failure), failure);
        Assert.True(client.TryHandleServerFirst(serverFirst, out byte[] clientFinal, out failure), failure);
        Assert.True(server.TryHandleClientFinal(clientFinal, out byte[] serverFinal, out failure), failure);
        Assert.True(client.TryHandleServerFinal(serverFinal, out failure), failure);
    }

    [Fact]
    public void Exchange_ServerWithAnotherPassword_SignatureIsRefused()
    {
        // A server that does not hold the verifier cannot produce the signature, whatever it sends in server-first.
        ScramClientExchange client = NewClient();
        string clientNonce = ClientNonce(client);
        string serverFirst = ServerFirst(clientNonce + "server");
        Assert.True(client.TryHandleServerFirst(Ascii(serverFirst), out _, out _));
        (_, string forged) = ScramMath.Sign("not the password", Rfc7677.Salt, Rfc7677.Iterations,
            "n=,r=" + clientNonce + "," + serverFirst + ",c=biws,r=" + clientNonce + "server");

        AssertFinalFails(client, "v=" + forged);
    }

    [Theory]
    [InlineData("v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=")] // the RFC's signature, for another nonce
    [InlineData("v=")]
    [InlineData("v=!!!!")]
    [InlineData("v=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")]
    [InlineData("x=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=")]
    [InlineData("")]
    public void TryHandleServerFinal_BadSignature_IsRefused(string serverFinal)
    {
        ScramClientExchange client = NewClient();
        Assert.True(client.TryHandleServerFirst(Ascii(ServerFirst(ClientNonce(client) + "server")), out _, out _));

        AssertFinalFails(client, serverFinal);
    }

    [Theory]
    [InlineData("e=invalid-proof")]
    [InlineData("e=other-error")]
    [InlineData("e=" + Marker)]
    public void TryHandleServerFinal_ServerError_IsRefused(string serverFinal)
    {
        ScramClientExchange client = NewClient();
        Assert.True(client.TryHandleServerFirst(Ascii(ServerFirst(ClientNonce(client) + "server")), out _, out _));

        AssertFinalFails(client, serverFinal);

        // The audit log must tell a server that reported an error from one that forged a signature.
        client.TryHandleServerFinal(Ascii(serverFinal), out string failure);
        Assert.Contains("error", failure, StringComparison.Ordinal);
        Assert.DoesNotContain("signature", failure, StringComparison.Ordinal);
    }

    [Fact]
    public void TryHandleServerFinal_TooLong_IsRefused()
    {
        ScramClientExchange client = NewClient();
        Assert.True(client.TryHandleServerFirst(Ascii(ServerFirst(ClientNonce(client) + "server")), out _, out _));

        AssertFinalFails(client, "v=" + new string('A', 400));
    }

    [Fact]
    public void TryHandleServerFinal_BeforeServerFirst_IsRefused()
        => AssertFinalFails(NewClient(), Rfc7677.ServerFinal);

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(1_000_000_000)]
    [InlineData(MaxIterations + 1)]
    public void TryHandleServerFirst_IterationCountOutOfRange_IsRefusedWithoutComputing(int iterations)
    {
        ScramClientExchange client = NewClient();
        string serverFirst = "r=" + ClientNonce(client) + "server,s=" + Rfc7677.SaltBase64 + ",i=" + iterations.ToString(CultureInfo.InvariantCulture);

        var stopwatch = Stopwatch.StartNew();
        AssertFirstFails(client, serverFirst);

        // 10^9 PBKDF2 rounds take minutes; a refusal takes microseconds. The bound is loose on purpose.
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(2), $"took {stopwatch.Elapsed}");
    }

    [Theory]
    [InlineData("99999999999")]
    [InlineData("4096x")]
    [InlineData("+4096")]
    [InlineData(" 4096")]
    [InlineData("")]
    public void TryHandleServerFirst_IterationCountNotANumber_IsRefused(string iterations)
    {
        ScramClientExchange client = NewClient();

        AssertFirstFails(client, "r=" + ClientNonce(client) + "server,s=" + Rfc7677.SaltBase64 + ",i=" + iterations);
    }

    [Fact]
    public void TryHandleServerFirst_IterationCountAtTheConfiguredMaximum_IsAccepted()
    {
        var client = new ScramClientExchange(new UpstreamSecret(Rfc7677.Password), maxIterations: Rfc7677.Iterations);
        string nonce = ClientNonce(client);

        Assert.False(client.TryHandleServerFirst(Ascii("r=" + nonce + "s,s=" + Rfc7677.SaltBase64 + ",i=4097"), out _, out _));
        Assert.True(client.TryHandleServerFirst(Ascii("r=" + nonce + "s,s=" + Rfc7677.SaltBase64 + ",i=4096"), out _, out string failure), failure);
    }

    [Fact]
    public void TryHandleServerFirst_ExtremelyLongNonce_IsRefusedQuickly()
    {
        ScramClientExchange client = NewClient();

        var stopwatch = Stopwatch.StartNew();
        AssertFirstFails(client, ServerFirst(ClientNonce(client) + new string('x', 1_000_000)));

        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(2), $"took {stopwatch.Elapsed}");
    }

    [Fact]
    public void TryHandleServerFirst_NonceJustAboveTheLimit_IsRefusedAndAtTheLimitAccepted()
    {
        ScramClientExchange client = NewClient();
        string clientNonce = ClientNonce(client);

        AssertFirstFails(client, ServerFirst(clientNonce + new string('x', ScramClientExchange.MaxNonceLength + 1 - clientNonce.Length)));
        Assert.True(client.TryHandleServerFirst(Ascii(ServerFirst(clientNonce + new string('x', ScramClientExchange.MaxNonceLength - clientNonce.Length))), out _, out string failure), failure);
    }

    [Theory]
    [InlineData("client nonce only")]
    [InlineData("other prefix")]
    [InlineData("client nonce in the middle")]
    [InlineData("empty")]
    public void TryHandleServerFirst_NonceNotExtendingTheClientNonce_IsRefused(string variant)
    {
        ScramClientExchange client = NewClient();
        string clientNonce = ClientNonce(client);
        string nonce = variant switch
        {
            "client nonce only" => clientNonce,
            "other prefix" => "X" + clientNonce[1..] + "server",
            "client nonce in the middle" => "server" + clientNonce,
            _ => "",
        };

        AssertFirstFails(client, ServerFirst(nonce));
    }

    [Theory]
    [InlineData("s=")]
    [InlineData("s=!!!notbase64")]
    [InlineData("s=" + Marker)]
    public void TryHandleServerFirst_BadSalt_IsRefused(string salt)
    {
        ScramClientExchange client = NewClient();

        AssertFirstFails(client, "r=" + ClientNonce(client) + "server," + salt + ",i=4096");
    }

    [Theory]
    [InlineData("{r},i=4096")]
    [InlineData("{r},s=W22ZaJ0SNY7soEsUEjb6gQ==")]
    [InlineData("s=W22ZaJ0SNY7soEsUEjb6gQ==,{r},i=4096")]
    [InlineData("m=ext,{r},s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096")]
    [InlineData("{r},s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096\n")]
    [InlineData("{r},s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096\u00e9")]
    [InlineData("")]
    public void TryHandleServerFirst_MalformedMessage_IsRefused(string template)
    {
        ScramClientExchange client = NewClient();

        AssertFirstFails(client, template.Replace("{r}", "r=" + ClientNonce(client) + "server", StringComparison.Ordinal));
    }

    [Fact]
    public void TryHandleServerFirst_ExtensionAfterTheIterationCount_IsIncludedInTheSignature()
    {
        ScramClientExchange client = NewClient();
        string clientNonce = ClientNonce(client);
        string serverFirst = ServerFirst(clientNonce + "server") + ",x=extension";

        Assert.True(client.TryHandleServerFirst(Ascii(serverFirst), out _, out string failure), failure);

        (_, string signature) = ScramMath.Sign(Rfc7677.Password, Rfc7677.Salt, Rfc7677.Iterations,
            "n=,r=" + clientNonce + "," + serverFirst + ",c=biws,r=" + clientNonce + "server");
        Assert.True(client.TryHandleServerFinal(Ascii("v=" + signature), out failure), failure);
    }

    private static ScramClientExchange NewClient() => new(new UpstreamSecret(Rfc7677.Password), MaxIterations);

    private static string ClientNonce(ScramClientExchange client)
    {
        string clientFirst = Encoding.ASCII.GetString(client.CreateClientFirst());
        return ScramMath.Attributes(clientFirst["n,,".Length..])['r'];
    }

    private static string ServerFirst(string nonce) => "r=" + nonce + ",s=" + Rfc7677.SaltBase64 + ",i=4096";

    private static void AssertFirstFails(ScramClientExchange client, string serverFirst)
    {
        Assert.False(client.TryHandleServerFirst(Encoding.UTF8.GetBytes(serverFirst), out byte[] clientFinal, out string failure));

        Assert.Empty(clientFinal);
        AssertReason(failure);
    }

    private static void AssertFinalFails(ScramClientExchange client, string serverFinal)
    {
        Assert.False(client.TryHandleServerFinal(Encoding.UTF8.GetBytes(serverFinal), out string failure));

        AssertReason(failure);
    }

    private static void AssertReason(string failure)
    {
        Assert.False(string.IsNullOrWhiteSpace(failure));
        Assert.DoesNotContain(Marker, failure, StringComparison.Ordinal);
    }

    private static byte[] Ascii(string text) => Encoding.ASCII.GetBytes(text);
}
