using Gateway.Host.Grants;

namespace Gateway.Host.Tests.Grants;

public sealed class AllowedHoursTests
{
    private static readonly AllowedHours Office = new(new TimeOnly(8, 0), new TimeOnly(18, 0), TimeZoneInfo.Utc);
    private static readonly AllowedHours Night = new(new TimeOnly(22, 0), new TimeOnly(6, 0), TimeZoneInfo.Utc);

    [Theory]
    [InlineData(8, 0, true)]
    [InlineData(12, 30, true)]
    [InlineData(17, 59, true)]
    [InlineData(18, 0, false)]
    [InlineData(7, 59, false)]
    public void Contains_DayWindow(int hour, int minute, bool inside)
        => Assert.Equal(inside, Office.Contains(new DateTimeOffset(2026, 12, 4, hour, minute, 0, TimeSpan.Zero)));

    [Theory]
    [InlineData(23, 0, true)]
    [InlineData(2, 0, true)]
    [InlineData(6, 0, false)]
    [InlineData(12, 0, false)]
    public void Contains_WindowAcrossMidnight(int hour, int minute, bool inside)
        => Assert.Equal(inside, Night.Contains(new DateTimeOffset(2026, 12, 4, hour, minute, 0, TimeSpan.Zero)));

    [Fact]
    public void EndOfWindow_AcrossMidnight_IsNextMorning()
        => Assert.Equal(new DateTimeOffset(2026, 12, 5, 6, 0, 0, TimeSpan.Zero), Night.EndOfWindow(new DateTimeOffset(2026, 12, 4, 23, 0, 0, TimeSpan.Zero)));

    [Fact]
    public void EndOfWindow_InAnotherTimeZone_UsesThatZonesClock()
    {
        var berlin = new AllowedHours(new TimeOnly(8, 0), new TimeOnly(18, 0), TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin"));

        // 10:00 UTC in December is 11:00 in Berlin (UTC+1); the window ends at 18:00 Berlin, 17:00 UTC.
        Assert.Equal(new DateTimeOffset(2026, 12, 4, 17, 0, 0, TimeSpan.Zero), berlin.EndOfWindow(new DateTimeOffset(2026, 12, 4, 10, 0, 0, TimeSpan.Zero)));
    }
}
