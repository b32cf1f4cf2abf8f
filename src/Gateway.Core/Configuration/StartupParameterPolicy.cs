using System.Collections.Frozen;
using System.Text;
using Gateway.Core.Protocol.Postgres;

namespace Gateway.Core.Configuration;

/// <summary>
/// Which startup parameters a client may pass to the upstream server. <c>user</c> and <c>database</c> always come from
/// the <see cref="UpstreamTarget"/>; <c>replication</c> is always refused; <c>options</c> is refused unless every
/// <c>-c</c> setting in it is listed in <see cref="AllowedOptionSettings"/>; anything else not listed in
/// <see cref="ForwardedParameters"/> (search_path, role, session_authorization, unknown <c>_pq_.</c> options) is
/// dropped.
/// </summary>
public sealed record StartupParameterPolicy
{
    /// <summary>The session settings drivers commonly send and that carry no privilege.</summary>
    public static StartupParameterPolicy Default { get; } = new()
    {
        ForwardedParameters = FrozenSet.Create(StringComparer.OrdinalIgnoreCase,
            "application_name", "client_encoding", "DateStyle", "TimeZone", "IntervalStyle", "extra_float_digits",
            "lc_messages", "bytea_output", "statement_timeout", "lock_timeout", "idle_in_transaction_session_timeout"),
        AllowedOptionSettings = FrozenSet<string>.Empty,
    };

    /// <summary>Parameter names (case-insensitive, as PostgreSQL's GUC names are) forwarded as sent.</summary>
    public required FrozenSet<string> ForwardedParameters { get; init; }

    /// <summary>Settings a client may set with <c>-c name=value</c> inside <c>options</c>; empty refuses <c>options</c>.</summary>
    public required FrozenSet<string> AllowedOptionSettings { get; init; }

    /// <summary>
    /// Picks the client parameters to send upstream. Returns false with a reason, fit to show the client, when a
    /// parameter must be refused rather than dropped.
    /// </summary>
    internal bool TryFilter(StartupParameters client, List<KeyValuePair<string, string>> forwarded, out string refusal)
    {
        refusal = string.Empty;
        foreach (KeyValuePair<string, string> parameter in client.All)
        {
            string name = parameter.Key;
            if (string.Equals(name, "replication", StringComparison.Ordinal))
            {
                refusal = "replication connections are not allowed through the gateway";
                return false;
            }

            if (string.Equals(name, "options", StringComparison.Ordinal))
            {
                if (!TryCheckOptions(parameter.Value, out refusal))
                {
                    return false;
                }

                forwarded.Add(parameter);
                continue;
            }

            if (name is "user" or "database")
            {
                continue;
            }

            if (ForwardedParameters.Contains(name))
            {
                forwarded.Add(parameter);
            }
        }

        return true;
    }

    private bool TryCheckOptions(string options, out string refusal)
    {
        if (!System.Text.Ascii.IsValid(options))
        {
            refusal = "the options startup parameter must be ASCII";
            return false;
        }

        List<string> words = SplitOptions(options);
        for (int i = 0; i < words.Count; i++)
        {
            string word = words[i];
            string? setting = null;
            if (word == "-c" && i + 1 < words.Count)
            {
                setting = words[++i];
            }
            else if (word.StartsWith("-c", StringComparison.Ordinal) && word.Length > 2)
            {
                setting = word.Substring(2);
            }
            else if (word.StartsWith("--", StringComparison.Ordinal) && word.Length > 2)
            {
                setting = word.Substring(2);
            }

            int equals = setting?.IndexOf('=', StringComparison.Ordinal) ?? -1;
            if (setting is null || equals <= 0)
            {
                refusal = "the options startup parameter may only carry -c name=value settings";
                return false;
            }

            string name = setting.Substring(0, equals).Replace('-', '_');
            if (!AllowedOptionSettings.Contains(name))
            {
                refusal = "setting \"" + name + "\" through the options startup parameter is not allowed by the gateway";
                return false;
            }
        }

        refusal = string.Empty;
        return true;
    }

    /// <summary>
    /// Splits options at unescaped ASCII whitespace; a backslash takes the next character literally, as PostgreSQL
    /// does. Non-ASCII text is refused before this runs, so no locale can split a word differently upstream.
    /// </summary>
    private static List<string> SplitOptions(string options)
    {
        var words = new List<string>();
        var word = new StringBuilder();
        for (int i = 0; i < options.Length; i++)
        {
            char c = options[i];
            if (c == '\\')
            {
                // A trailing backslash escapes nothing and is dropped, as PostgreSQL does.
                if (i + 1 < options.Length)
                {
                    word.Append(options[++i]);
                }
            }
            else if (c is ' ' or '\t' or '\n' or '\r' or '\f' or '\v')
            {
                if (word.Length > 0)
                {
                    words.Add(word.ToString());
                    word.Clear();
                }
            }
            else
            {
                word.Append(c);
            }
        }

        if (word.Length > 0)
        {
            words.Add(word.ToString());
        }

        return words;
    }
}
