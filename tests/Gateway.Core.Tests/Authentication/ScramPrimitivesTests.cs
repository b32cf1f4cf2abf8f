using System.Security.Cryptography;
using System.Text;
using Gateway.Core.Authentication;

namespace Gateway.Core.Tests.Authentication;

public sealed class ScramPrimitivesTests
{
    [Fact]
    public void KeyDerivation_Rfc7677Example_GivesTheRfcProofAndServerSignature()
    {
        byte[] saltedPassword = ScramPrimitives.SaltedPassword(Encoding.UTF8.GetBytes(Rfc7677.Password), Rfc7677.Salt, Rfc7677.Iterations);
        byte[] clientKey = ScramPrimitives.ClientKey(saltedPassword);
        byte[] storedKey = SHA256.HashData(clientKey);
        byte[] serverKey = ScramPrimitives.ServerKey(saltedPassword);
        byte[] authMessage = Encoding.ASCII.GetBytes(Rfc7677.ClientFirstBare + "," + Rfc7677.ServerFirst + "," + Rfc7677.ClientFinalWithoutProof);

        byte[] clientSignature = HMACSHA256.HashData(storedKey, authMessage);
        byte[] proof = [.. clientKey.Zip(clientSignature, (k, s) => (byte)(k ^ s))];
        byte[] serverSignature = HMACSHA256.HashData(serverKey, authMessage);

        Assert.Equal(ScramPrimitives.KeyLength, saltedPassword.Length);
        Assert.Equal(Rfc7677.ClientProof, Convert.ToBase64String(proof));
        Assert.Equal(Rfc7677.ServerSignature, Convert.ToBase64String(serverSignature));
    }

    [Fact]
    public void TestScramMath_Rfc7677Example_GivesTheRfcProofAndServerSignature()
    {
        // The tests' own implementation plays the peer elsewhere; it must agree with the RFC first.
        (string proof, string serverSignature) = ScramMath.Sign(Rfc7677.Password, Rfc7677.Salt, Rfc7677.Iterations,
            Rfc7677.ClientFirstBare + "," + Rfc7677.ServerFirst + "," + Rfc7677.ClientFinalWithoutProof);

        Assert.Equal(Rfc7677.ClientProof, proof);
        Assert.Equal(Rfc7677.ServerSignature, serverSignature);
    }

    [Fact]
    public void NewNonce_TwoCalls_AreDistinctPrintableAndLongEnough()
    {
        string first = ScramPrimitives.NewNonce();
        string second = ScramPrimitives.NewNonce();

        Assert.NotEqual(first, second);
        Assert.Equal(24, first.Length);
        Assert.All(first, c => Assert.True(c is > ' ' and <= '~' and not ','));
        Assert.Equal(18, Convert.FromBase64String(first).Length);
    }
}
