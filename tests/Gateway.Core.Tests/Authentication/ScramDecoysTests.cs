using Gateway.Core.Authentication;

namespace Gateway.Core.Tests.Authentication;

public sealed class ScramDecoysTests
{
    [Fact]
    public void For_SameUnknownUserTwice_ShowsTheSameSaltAndIterations()
    {
        var decoys = new ScramDecoys();

        ScramVerifier first = decoys.For("nobody");
        ScramVerifier second = decoys.For("nobody");

        Assert.Equal(first.Salt.ToArray(), second.Salt.ToArray());
        Assert.Equal(ScramVerifier.DefaultIterations, first.Iterations);
        Assert.Equal(16, first.Salt.Length);
    }

    [Fact]
    public void For_DifferentUsersOrGatewayInstances_ShowDifferentSalts()
    {
        var decoys = new ScramDecoys();

        Assert.NotEqual(decoys.For("nobody").Salt.ToArray(), decoys.For("nobody2").Salt.ToArray());
        Assert.NotEqual(decoys.For("nobody").Salt.ToArray(), new ScramDecoys().For("nobody").Salt.ToArray());
    }

    [Fact]
    public void For_UnknownUser_KeysMatchNoPassword()
    {
        ScramVerifier decoy = new ScramDecoys().For("user");
        ScramVerifier real = ScramVerifier.Create("", decoy.Salt.Span, decoy.Iterations);

        Assert.NotEqual(real.StoredKey.ToArray(), decoy.StoredKey.ToArray());
        Assert.Equal(32, decoy.StoredKey.Length);
        Assert.Equal(32, decoy.ServerKey.Length);
    }
}
