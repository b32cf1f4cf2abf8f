using System.Globalization;
using System.Text.RegularExpressions;

namespace Gateway.Host.Grants;

/// <summary>Durations as people write them: <c>90s</c>, <c>30m</c>, <c>2h</c>, <c>1h30m</c>, or ISO 8601 (<c>PT30M</c>).</summary>
internal static partial class DurationText
{
    public static bool TryParse(string? text, out TimeSpan duration)
    {
        duration = default;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        if (text.StartsWith('P'))
        {
            try
            {
                duration = System.Xml.XmlConvert.ToTimeSpan(text);
                return duration > TimeSpan.Zero;
            }
            catch (FormatException)
            {
                return false;
            }
        }

        Match match = Parts().Match(text.Trim());
        if (!match.Success || match.Length == 0)
        {
            return false;
        }

        static int Read(Group group) => group.Success ? int.Parse(group.Value, CultureInfo.InvariantCulture) : 0;
        duration = new TimeSpan(Read(match.Groups["d"]), Read(match.Groups["h"]), Read(match.Groups["m"]), Read(match.Groups["s"]));
        return duration > TimeSpan.Zero;
    }

    public static string Format(TimeSpan duration)
        => duration.TotalSeconds % 3600 == 0 ? $"{(int)duration.TotalHours}h"
            : duration.TotalSeconds % 60 == 0 ? $"{(int)duration.TotalMinutes}m"
            : $"{(int)duration.TotalSeconds}s";

    [GeneratedRegex(@"^(?:(?<d>\d{1,3})d)?(?:(?<h>\d{1,4})h)?(?:(?<m>\d{1,5})m)?(?:(?<s>\d{1,6})s)?$")]
    private static partial Regex Parts();
}
