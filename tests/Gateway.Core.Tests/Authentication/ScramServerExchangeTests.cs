using System.Text;
using Gateway.Core.Authentication;

namespace Gateway.Core.Tests.Authentication;

/// <summary>
/// The gateway's server half of SCRAM-SHA-256, driven by a client written in the test (PROTO-04). The server picks its
/// own nonce suffix, so the RFC 7677 example is replayed with the RFC's user, password, client nonce, salt and
/// iteration count, and the proof is computed from the server-first-message the exchange returns.
/// </summary>
public sealed class ScramServerExchangeTests
{
    private const string Marker = "SECRET-ROW-DATA";

    private static readonly ScramVerifier RfcVerifier = ScramVerifier.Create(Rfc7677.Password, Rfc7677.Salt, Rfc7677.Iterations);

    [Fact]
    public void TryHandleClientFirst_Rfc7677ClientFirst_AnswersWithTheSaltIterationsAndAnExtendedNonce()
    {
        var exchange = new ScramServerExchange(RfcVerifier, isDecoy: false);

        Assert.True(exchange.TryHandleClientFirst(Ascii(Rfc7677.ClientFirst), out byte[] serverFirst, out string failure), failure);

        string text = Encoding.ASCII.GetString(serverFirst);
        Dictionary<char, string> attributes = ScramMath.Attributes(text);
        Assert.Equal(['r', 's', 'i'], attributes.Keys);
        Assert.StartsWith(Rfc7677.ClientNonce, attributes['r'], StringComparison.Ordinal);
        Assert.True(attributes['r'].Length >= Rfc7677.ClientNonce.Length + 18, "the server adds too little randomness");
        Assert.DoesNotContain(',', attributes['r']);
        Assert.Equal(Rfc7677.SaltBase64, attributes['s']);
        Assert.Equal("4096", attributes['i']);
        Assert.Equal("", failure);
    }

    [Fact]
    public void Exchange_Rfc7677ClientWithTheRightPassword_SucceedsAndSignsWithTheServerKey()
    {
        (ScramServerExchange exchange, string serverFirst) = Start(Rfc7677.ClientFirst);
        (string clientFinal, string expectedSignature) = ClientFinal(serverFirst, "n,,", Rfc7677.ClientFirstBare, Rfc7677.Password);

        Assert.True(exchange.TryHandleClientFinal(Ascii(clientFinal), out byte[] serverFinal, out string failure), failure);

        Assert.Equal("v=" + expectedSignature, Encoding.ASCII.GetString(serverFinal));
    }

    [Fact]
    public void Exchange_TwoExchanges_UseDifferentServerNonces()
    {
        (_, string first) = Start(Rfc7677.ClientFirst);
        (_, string second) = Start(Rfc7677.ClientFirst);

        Assert.NotEqual(ScramMath.Attributes(first)['r'], ScramMath.Attributes(second)['r']);
    }

    [Fact]
    public void Exchange_WrongPassword_FailsWithoutServerFinal()
    {
        (ScramServerExchange exchange, string serverFirst) = Start(Rfc7677.ClientFirst);
        (string clientFinal, _) = ClientFinal(serverFirst, "n,,", Rfc7677.ClientFirstBare, "pencil2");

        AssertFinalFails(exchange, clientFinal);
    }

    [Fact]
    public void Exchange_ProofWithOneBitFlipped_Fails()
    {
        (ScramServerExchange exchange, string serverFirst) = Start(Rfc7677.ClientFirst);
        (string clientFinal, _) = ClientFinal(serverFirst, "n,,", Rfc7677.ClientFirstBare, Rfc7677.Password);
        int proofAt = clientFinal.LastIndexOf(",p=", StringComparison.Ordinal) + 3;
        byte[] proof = Convert.FromBase64String(clientFinal[proofAt..]);
        proof[31] ^= 1;

        AssertFinalFails(exchange, clientFinal[..proofAt] + Convert.ToBase64String(proof));
    }

    [Fact]
    public void Exchange_ProofForAnotherAuthMessage_Fails()
    {
        // The RFC's own proof is valid for the RFC's server nonce only, not for the one this server chose.
        (ScramServerExchange exchange, string serverFirst) = Start(Rfc7677.ClientFirst);
        string nonce = ScramMath.Attributes(serverFirst)['r'];

        AssertFinalFails(exchange, "c=biws,r=" + nonce + ",p=" + Rfc7677.ClientProof);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(16)]
    [InlineData(31)]
    [InlineData(33)]
    [InlineData(64)]
    public void Exchange_ProofOfWrongLength_Fails(int length)
    {
        (ScramServerExchange exchange, string serverFirst) = Start(Rfc7677.ClientFirst);
        string nonce = ScramMath.Attributes(serverFirst)['r'];

        AssertFinalFails(exchange, "c=biws,r=" + nonce + ",p=" + Convert.ToBase64String(new byte[length]));
    }

    [Theory]
    [InlineData("!!!!notbase64!!!!")]
    [InlineData("dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ")] // padding missing
    [InlineData("dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=x")]
    [InlineData("")]
    public void Exchange_ProofNotBase64_Fails(string proof)
    {
        (ScramServerExchange exchange, string serverFirst) = Start(Rfc7677.ClientFirst);
        string nonce = ScramMath.Attributes(serverFirst)['r'];

        AssertFinalFails(exchange, "c=biws,r=" + nonce + ",p=" + proof);
    }

    [Theory]
    [InlineData("client nonce only")]
    [InlineData("last character changed")]
    [InlineData("one character appended")]
    [InlineData("other client nonce")]
    [InlineData("empty")]
    public void Exchange_FinalNonceNotTheCombinedNonce_Fails(string variant)
    {
        (ScramServerExchange exchange, string serverFirst) = Start(Rfc7677.ClientFirst);
        string combined = ScramMath.Attributes(serverFirst)['r'];
        string nonce = variant switch
        {
            "client nonce only" => Rfc7677.ClientNonce,
            "last character changed" => combined[..^1] + (combined[^1] == 'A' ? 'B' : 'A'),
            "one character appended" => combined + "A",
            "other client nonce" => "X" + combined[1..],
            _ => "",
        };

        // Signed correctly over the forged nonce, so only the nonce check can refuse it.
        string withoutProof = "c=biws,r=" + nonce;
        (string proof, _) = ScramMath.Sign(Rfc7677.Password, Rfc7677.Salt, Rfc7677.Iterations,
            Rfc7677.ClientFirstBare + "," + serverFirst + "," + withoutProof);

        AssertFinalFails(exchange, withoutProof + ",p=" + proof);
    }

    [Theory]
    [InlineData("p=tls-server-end-point,,")]
    [InlineData("p=tls-unique,,")]
    public void TryHandleClientFirst_ClientRequiresChannelBinding_IsRefused(string gs2Header)
        => AssertFirstFails(gs2Header + Rfc7677.ClientFirstBare);

    [Fact]
    public void Exchange_ClientSupportsChannelBindingButThinksServerDoesNot_Succeeds()
    {
        (ScramServerExchange exchange, string serverFirst) = Start("y,," + Rfc7677.ClientFirstBare);
        (string clientFinal, string expectedSignature) = ClientFinal(serverFirst, "y,,", Rfc7677.ClientFirstBare, Rfc7677.Password);

        Assert.StartsWith("c=eSws,", clientFinal, StringComparison.Ordinal);
        Assert.True(exchange.TryHandleClientFinal(Ascii(clientFinal), out byte[] serverFinal, out string failure), failure);
        Assert.Equal("v=" + expectedSignature, Encoding.ASCII.GetString(serverFinal));
    }

    [Theory]
    [InlineData("n,,", "y,,")]
    [InlineData("y,,", "n,,")]
    [InlineData("n,,", "n,")]
    [InlineData("n,,", "n,,n")]
    [InlineData("n,,", "p=tls-unique,,")]
    public void Exchange_ChannelBindingAttributeNotRepeatingTheGs2Header_Fails(string sent, string repeated)
    {
        (ScramServerExchange exchange, string serverFirst) = Start(sent + Rfc7677.ClientFirstBare);
        (string clientFinal, _) = ClientFinal(serverFirst, repeated, Rfc7677.ClientFirstBare, Rfc7677.Password);

        AssertFinalFails(exchange, clientFinal);
    }

    [Theory]
    [InlineData("c=!!!!")]
    [InlineData("c=")]
    public void Exchange_ChannelBindingAttributeNotBase64_Fails(string binding)
    {
        (ScramServerExchange exchange, string serverFirst) = Start(Rfc7677.ClientFirst);
        string withoutProof = binding + ",r=" + ScramMath.Attributes(serverFirst)['r'];
        (string proof, _) = ScramMath.Sign(Rfc7677.Password, Rfc7677.Salt, Rfc7677.Iterations, Rfc7677.ClientFirstBare + "," + serverFirst + "," + withoutProof);

        AssertFinalFails(exchange, withoutProof + ",p=" + proof);
    }

    [Fact]
    public void Exchange_ClientFinalWithoutChannelBindingAttribute_Fails()
    {
        (ScramServerExchange exchange, string serverFirst) = Start(Rfc7677.ClientFirst);
        string withoutProof = "r=" + ScramMath.Attributes(serverFirst)['r'];
        (string proof, _) = ScramMath.Sign(Rfc7677.Password, Rfc7677.Salt, Rfc7677.Iterations, Rfc7677.ClientFirstBare + "," + serverFirst + "," + withoutProof);

        AssertFinalFails(exchange, withoutProof + ",p=" + proof);
    }

    [Fact]
    public void Exchange_ClientFinalWithoutProof_Fails()
    {
        (ScramServerExchange exchange, string serverFirst) = Start(Rfc7677.ClientFirst);

        AssertFinalFails(exchange, "c=biws,r=" + ScramMath.Attributes(serverFirst)['r']);
    }

    [Theory]
    [InlineData("n,a=admin,")]
    [InlineData("n,a=" + Marker + ",")]
    [InlineData("y,a=postgres,")]
    public void TryHandleClientFirst_AuthorizationIdentity_IsRefused(string gs2Header)
        => AssertFirstFails(gs2Header + Rfc7677.ClientFirstBare);

    [Theory]
    [InlineData("")]
    [InlineData("n=user,r=abc")] // no GS2 header
    [InlineData("n,n=user,r=abc")] // GS2 header with one comma
    [InlineData("x,,n=user,r=abc")]
    [InlineData("p,,n=user,r=abc")]
    [InlineData("N,,n=user,r=abc")]
    [InlineData("n,,r=abc")]
    [InlineData("n,,n=user")]
    [InlineData("n,,n=user,s=abc")]
    [InlineData("n,,m=ext,n=user,r=abc")]
    [InlineData("n,,n=user,r=")]
    [InlineData("n,,n=" + Marker + "\u0001,r=abc")]
    [InlineData("n,,n=user,r=abc\u00e9")]
    public void TryHandleClientFirst_MalformedMessage_IsRefused(string clientFirst)
        => AssertFirstFails(clientFirst);

    [Fact]
    public void TryHandleClientFirst_NonceLongerThanTheLimit_IsRefused()
    {
        AssertFirstFails("n,,n=user,r=" + new string('a', ScramServerExchange.MaxNonceLength + 1));

        var exchange = new ScramServerExchange(RfcVerifier, isDecoy: false);
        Assert.True(exchange.TryHandleClientFirst(Ascii("n,,n=user,r=" + new string('a', ScramServerExchange.MaxNonceLength)), out _, out _));
    }

    [Fact]
    public void TryHandleClientFinal_BeforeClientFirst_Fails()
    {
        var exchange = new ScramServerExchange(RfcVerifier, isDecoy: false);

        AssertFinalFails(exchange, Rfc7677.ClientFinal);
    }

    [Fact]
    public void Exchange_DecoyWithTheCorrectProof_Fails()
    {
        // A verifier that the password does match, flagged as a decoy: the exchange must still fail.
        var exchange = new ScramServerExchange(RfcVerifier, isDecoy: true);
        Assert.True(exchange.TryHandleClientFirst(Ascii(Rfc7677.ClientFirst), out byte[] first, out _));
        (string clientFinal, _) = ClientFinal(Encoding.ASCII.GetString(first), "n,,", Rfc7677.ClientFirstBare, Rfc7677.Password);

        AssertFinalFails(exchange, clientFinal);
    }

    [Fact]
    public void Exchange_UnknownUserDecoy_LooksLikeARealUserUntilTheProof()
    {
        var decoys = new ScramDecoys();
        var exchange = new ScramServerExchange(decoys.For("nobody"), isDecoy: true);

        Assert.True(exchange.TryHandleClientFirst(Ascii("n,,n=nobody,r=" + Rfc7677.ClientNonce), out byte[] first, out _));

        Dictionary<char, string> attributes = ScramMath.Attributes(Encoding.ASCII.GetString(first));
        Assert.Equal(16, Convert.FromBase64String(attributes['s']).Length);
        Assert.Equal("4096", attributes['i']);
        byte[] salt = Convert.FromBase64String(attributes['s']);
        string withoutProof = "c=biws,r=" + attributes['r'];
        (string proof, _) = ScramMath.Sign("any password", salt, 4096, "n=nobody,r=" + Rfc7677.ClientNonce + "," + Encoding.ASCII.GetString(first) + "," + withoutProof);
        AssertFinalFails(exchange, withoutProof + ",p=" + proof);
    }

    private static (ScramServerExchange Exchange, string ServerFirst) Start(string clientFirst)
    {
        var exchange = new ScramServerExchange(RfcVerifier, isDecoy: false);
        Assert.True(exchange.TryHandleClientFirst(Ascii(clientFirst), out byte[] serverFirst, out string failure), failure);
        return (exchange, Encoding.ASCII.GetString(serverFirst));
    }

    /// <summary>The client-final-message a correct client sends, and the server signature it then expects.</summary>
    private static (string ClientFinal, string ServerSignature) ClientFinal(string serverFirst, string gs2Header, string clientFirstBare, string password)
    {
        Dictionary<char, string> attributes = ScramMath.Attributes(serverFirst);
        string withoutProof = "c=" + Convert.ToBase64String(Encoding.ASCII.GetBytes(gs2Header)) + ",r=" + attributes['r'];
        (string proof, string signature) = ScramMath.Sign(password, Convert.FromBase64String(attributes['s']), int.Parse(attributes['i'], System.Globalization.CultureInfo.InvariantCulture),
            clientFirstBare + "," + serverFirst + "," + withoutProof);
        return (withoutProof + ",p=" + proof, signature);
    }

    private static void AssertFirstFails(string clientFirst)
    {
        var exchange = new ScramServerExchange(RfcVerifier, isDecoy: false);

        Assert.False(exchange.TryHandleClientFirst(Encoding.UTF8.GetBytes(clientFirst), out byte[] serverFirst, out string failure));

        Assert.Empty(serverFirst);
        AssertReason(failure);
    }

    private static void AssertFinalFails(ScramServerExchange exchange, string clientFinal)
    {
        Assert.False(exchange.TryHandleClientFinal(Encoding.UTF8.GetBytes(clientFinal), out byte[] serverFinal, out string failure));

        Assert.Empty(serverFinal);
        AssertReason(failure);
    }

    private static void AssertReason(string failure)
    {
        Assert.False(string.IsNullOrWhiteSpace(failure));
        Assert.DoesNotContain(Marker, failure, StringComparison.Ordinal);
        Assert.DoesNotContain(Rfc7677.ClientNonce, failure, StringComparison.Ordinal);
    }

    private static byte[] Ascii(string text) => Encoding.ASCII.GetBytes(text);
}
