using Gateway.Core.Authentication;

namespace Gateway.Core.Tests.Authentication;

public sealed class UpstreamSecretTests
{
    [Fact]
    public void ToString_AnySecret_IsRedacted()
        => Assert.Equal("***", new UpstreamSecret(Rfc7677.Password).ToString());

    [Fact]
    public void GetSaltedPassword_SameSaltAndIterations_IsPbkdf2AndCached()
    {
        var secret = new UpstreamSecret(Rfc7677.Password);

        byte[] first = secret.GetSaltedPassword(Rfc7677.Salt, Rfc7677.Iterations);
        byte[] again = secret.GetSaltedPassword(Rfc7677.Salt, Rfc7677.Iterations);
        byte[] otherSalt = secret.GetSaltedPassword([1, 2, 3, 4], Rfc7677.Iterations);

        Assert.Equal(ScramMath.SaltedPassword(Rfc7677.Password, Rfc7677.Salt, Rfc7677.Iterations), first);
        Assert.Same(first, again);
        Assert.NotEqual(first, otherSalt);
        Assert.Equal(ScramMath.SaltedPassword(Rfc7677.Password, [1, 2, 3, 4], Rfc7677.Iterations), otherSalt);
    }
}
