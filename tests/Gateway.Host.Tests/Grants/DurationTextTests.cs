using Gateway.Host.Grants;

namespace Gateway.Host.Tests.Grants;

public sealed class DurationTextTests
{
    [Theory]
    [InlineData("90s", 90)]
    [InlineData("30m", 1800)]
    [InlineData("2h", 7200)]
    [InlineData("1h30m", 5400)]
    [InlineData("1d", 86400)]
    [InlineData("PT45M", 2700)]
    [InlineData("PT1H30M", 5400)]
    public void TryParse_Valid_GivesTheDuration(string text, int seconds)
    {
        Assert.True(DurationText.TryParse(text, out TimeSpan duration));
        Assert.Equal(TimeSpan.FromSeconds(seconds), duration);
    }

    [Theory]
    [InlineData("")]
    [InlineData("0m")]
    [InlineData("forever")]
    [InlineData("30")]
    [InlineData("-5m")]
    [InlineData("P")]
    [InlineData("m30")]
    public void TryParse_Invalid_IsRefused(string text) => Assert.False(DurationText.TryParse(text, out _));

    [Theory]
    [InlineData(7200, "2h")]
    [InlineData(1800, "30m")]
    [InlineData(45, "45s")]
    public void Format_RoundNumbers_UsesTheLargestUnit(int seconds, string text)
        => Assert.Equal(text, DurationText.Format(TimeSpan.FromSeconds(seconds)));
}
