using System.Security.Cryptography;
using System.Text;
using Gateway.Core.Authentication;

namespace Gateway.Core.Tests.Authentication;

public sealed class ScramVerifierTests
{
    [Fact]
    public void Create_Rfc7677SecretAndSalt_GivesTheIndependentlyComputedVerifier()
    {
        ScramVerifier verifier = ScramVerifier.Create(Rfc7677.Password, Rfc7677.Salt, Rfc7677.Iterations);

        Assert.Equal(Rfc7677.Verifier, verifier.ToString());
    }

    [Fact]
    public void Create_Rfc7677SecretAndSalt_KeysCheckTheRfcProofAndGiveTheRfcSignature()
    {
        ScramVerifier verifier = ScramVerifier.Create(Rfc7677.Password, Rfc7677.Salt, Rfc7677.Iterations);
        byte[] authMessage = Encoding.ASCII.GetBytes(Rfc7677.ClientFirstBare + "," + Rfc7677.ServerFirst + "," + Rfc7677.ClientFinalWithoutProof);

        // The server's side of RFC 5802 §3: ClientKey = ClientProof XOR HMAC(StoredKey, AuthMessage); H(ClientKey) = StoredKey.
        byte[] clientSignature = HMACSHA256.HashData(verifier.StoredKey.Span, authMessage);
        byte[] clientKey = [.. Convert.FromBase64String(Rfc7677.ClientProof).Zip(clientSignature, (p, s) => (byte)(p ^ s))];
        Assert.Equal(verifier.StoredKey.ToArray(), SHA256.HashData(clientKey));
        Assert.Equal(Rfc7677.ServerSignature, Convert.ToBase64String(HMACSHA256.HashData(verifier.ServerKey.Span, authMessage)));
    }

    [Fact]
    public void Parse_Rfc7677Verifier_RoundTripsThroughToString()
    {
        ScramVerifier verifier = ScramVerifier.Parse(Rfc7677.Verifier);

        Assert.Equal(Rfc7677.Iterations, verifier.Iterations);
        Assert.Equal(Rfc7677.Salt, verifier.Salt.ToArray());
        Assert.Equal(32, verifier.StoredKey.Length);
        Assert.Equal(32, verifier.ServerKey.Length);
        Assert.Equal(Rfc7677.Verifier, verifier.ToString());
    }

    [Fact]
    public void Create_RandomSalt_RoundTripsAndVerifiesLikeTheStoredForm()
    {
        ScramVerifier created = ScramVerifier.Create("agent-secret");

        ScramVerifier parsed = ScramVerifier.Parse(created.ToString());

        Assert.Equal(ScramVerifier.DefaultIterations, created.Iterations);
        Assert.Equal(16, created.Salt.Length);
        Assert.Equal(created.Iterations, parsed.Iterations);
        Assert.Equal(created.Salt.ToArray(), parsed.Salt.ToArray());
        Assert.Equal(created.StoredKey.ToArray(), parsed.StoredKey.ToArray());
        Assert.Equal(created.ServerKey.ToArray(), parsed.ServerKey.ToArray());
        Assert.DoesNotContain("agent-secret", created.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Create_SameSecretTwice_UsesDifferentSalts()
        => Assert.NotEqual(ScramVerifier.Create("s", 1).Salt.ToArray(), ScramVerifier.Create("s", 1).Salt.ToArray());

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void Create_IterationsBelowOne_Throws(int iterations)
        => Assert.Throws<ArgumentOutOfRangeException>(() => ScramVerifier.Create("secret", iterations));

    [Fact]
    public void Create_NullSecret_Throws()
        => Assert.Throws<ArgumentNullException>(() => ScramVerifier.Create(null!));

    [Theory]
    [InlineData("")]
    [InlineData("md5a3556571e93b0d20722ba62be61e8c2d")]
    [InlineData("SCRAM-SHA-1$4096:W22ZaJ0SNY7soEsUEjb6gQ==$WG5d8oPm3OtcPnkdi4Uo7BkeZkBFzpcXkuLmtbsT4qY=:wfPLwcE6nTWhTAmQ7tl2KeoiWGPlZqQxSrmfPwDl2dU=")]
    [InlineData("scram-sha-256$4096:W22ZaJ0SNY7soEsUEjb6gQ==$WG5d8oPm3OtcPnkdi4Uo7BkeZkBFzpcXkuLmtbsT4qY=:wfPLwcE6nTWhTAmQ7tl2KeoiWGPlZqQxSrmfPwDl2dU=")]
    [InlineData("SCRAM-SHA-256$4096:W22ZaJ0SNY7soEsUEjb6gQ==")]
    [InlineData("SCRAM-SHA-256$4096:W22ZaJ0SNY7soEsUEjb6gQ==$WG5d8oPm3OtcPnkdi4Uo7BkeZkBFzpcXkuLmtbsT4qY=:wfPLwcE6nTWhTAmQ7tl2KeoiWGPlZqQxSrmfPwDl2dU=$x")]
    [InlineData("SCRAM-SHA-256$4096$WG5d8oPm3OtcPnkdi4Uo7BkeZkBFzpcXkuLmtbsT4qY=:wfPLwcE6nTWhTAmQ7tl2KeoiWGPlZqQxSrmfPwDl2dU=")]
    [InlineData("SCRAM-SHA-256$4096:W22ZaJ0SNY7soEsUEjb6gQ==:x$WG5d8oPm3OtcPnkdi4Uo7BkeZkBFzpcXkuLmtbsT4qY=:wfPLwcE6nTWhTAmQ7tl2KeoiWGPlZqQxSrmfPwDl2dU=")]
    [InlineData("SCRAM-SHA-256$4096:W22ZaJ0SNY7soEsUEjb6gQ==$WG5d8oPm3OtcPnkdi4Uo7BkeZkBFzpcXkuLmtbsT4qY=")]
    [InlineData("SCRAM-SHA-256$0:W22ZaJ0SNY7soEsUEjb6gQ==$WG5d8oPm3OtcPnkdi4Uo7BkeZkBFzpcXkuLmtbsT4qY=:wfPLwcE6nTWhTAmQ7tl2KeoiWGPlZqQxSrmfPwDl2dU=")]
    [InlineData("SCRAM-SHA-256$-4096:W22ZaJ0SNY7soEsUEjb6gQ==$WG5d8oPm3OtcPnkdi4Uo7BkeZkBFzpcXkuLmtbsT4qY=:wfPLwcE6nTWhTAmQ7tl2KeoiWGPlZqQxSrmfPwDl2dU=")]
    [InlineData("SCRAM-SHA-256$+4096:W22ZaJ0SNY7soEsUEjb6gQ==$WG5d8oPm3OtcPnkdi4Uo7BkeZkBFzpcXkuLmtbsT4qY=:wfPLwcE6nTWhTAmQ7tl2KeoiWGPlZqQxSrmfPwDl2dU=")]
    [InlineData("SCRAM-SHA-256$4k:W22ZaJ0SNY7soEsUEjb6gQ==$WG5d8oPm3OtcPnkdi4Uo7BkeZkBFzpcXkuLmtbsT4qY=:wfPLwcE6nTWhTAmQ7tl2KeoiWGPlZqQxSrmfPwDl2dU=")]
    [InlineData("SCRAM-SHA-256$99999999999:W22ZaJ0SNY7soEsUEjb6gQ==$WG5d8oPm3OtcPnkdi4Uo7BkeZkBFzpcXkuLmtbsT4qY=:wfPLwcE6nTWhTAmQ7tl2KeoiWGPlZqQxSrmfPwDl2dU=")]
    [InlineData("SCRAM-SHA-256$4096:$WG5d8oPm3OtcPnkdi4Uo7BkeZkBFzpcXkuLmtbsT4qY=:wfPLwcE6nTWhTAmQ7tl2KeoiWGPlZqQxSrmfPwDl2dU=")]
    [InlineData("SCRAM-SHA-256$4096:!!notbase64!!$WG5d8oPm3OtcPnkdi4Uo7BkeZkBFzpcXkuLmtbsT4qY=:wfPLwcE6nTWhTAmQ7tl2KeoiWGPlZqQxSrmfPwDl2dU=")]
    [InlineData("SCRAM-SHA-256$4096:W22ZaJ0SNY7soEsUEjb6gQ==$WG5d8oPm3OtcPnkdi4Uo7BkeZkBFzpcXkuLmtbsT4q=:wfPLwcE6nTWhTAmQ7tl2KeoiWGPlZqQxSrmfPwDl2dU=")] // 31-byte StoredKey
    [InlineData("SCRAM-SHA-256$4096:W22ZaJ0SNY7soEsUEjb6gQ==$WG5d8oPm3OtcPnkdi4Uo7BkeZkBFzpcXkuLmtbsT4qY=:wfPLwcE6nTWhTAmQ7tl2KeoiWGPlZqQxSrmfPwDl2dU2AA==")] // 33-byte ServerKey
    [InlineData("SCRAM-SHA-256$4096:W22ZaJ0SNY7soEsUEjb6gQ==$WG5d8oPm3OtcPnkdi4Uo7BkeZkBFzpcXkuLmtbsT4qY=:SECRET-ROW-DATA")]
    public void TryParse_MalformedText_IsRefusedAndParseThrowsWithoutQuotingIt(string text)
    {
        Assert.False(ScramVerifier.TryParse(text, out ScramVerifier? verifier));
        Assert.Null(verifier);

        var error = Assert.Throws<FormatException>(() => ScramVerifier.Parse(text));
        if (text.Length > 0)
        {
            Assert.DoesNotContain(text, error.Message, StringComparison.Ordinal);
        }

        Assert.DoesNotContain("SECRET", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TryParse_Null_IsRefused()
    {
        Assert.False(ScramVerifier.TryParse(null, out ScramVerifier? verifier));
        Assert.Null(verifier);
    }
}
