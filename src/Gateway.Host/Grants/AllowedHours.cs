namespace Gateway.Host.Grants;

/// <summary>A daily window (in a time zone) outside which a policy grants nothing, and which no grant outlives.</summary>
internal sealed record AllowedHours(TimeOnly From, TimeOnly To, TimeZoneInfo Zone)
{
    public bool Contains(DateTimeOffset instant)
    {
        TimeOnly local = TimeOnly.FromDateTime(TimeZoneInfo.ConvertTime(instant, Zone).DateTime);
        return From <= To ? local >= From && local < To : local >= From || local < To;
    }

    /// <summary>The end of the window that contains <paramref name="instant"/>.</summary>
    public DateTimeOffset EndOfWindow(DateTimeOffset instant)
    {
        DateTimeOffset local = TimeZoneInfo.ConvertTime(instant, Zone);
        DateTime end = local.Date + To.ToTimeSpan();
        if (end <= local.DateTime)
        {
            end = end.AddDays(1);
        }

        return new DateTimeOffset(end, Zone.GetUtcOffset(end));
    }
}
