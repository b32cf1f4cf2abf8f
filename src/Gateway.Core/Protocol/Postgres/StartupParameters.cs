namespace Gateway.Core.Protocol.Postgres;

/// <summary>
/// The parameters of a client's StartupMessage, in the order sent. Names are unique (the gateway refuses a packet
/// that repeats one) and compared ordinally, as PostgreSQL does.
/// </summary>
public sealed class StartupParameters
{
    private readonly List<KeyValuePair<string, string>> _parameters;

    /// <summary>Creates the set from name/value pairs; names must be unique.</summary>
    public StartupParameters(IEnumerable<KeyValuePair<string, string>> parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        _parameters = [.. parameters];
    }

    /// <summary>The <c>user</c> parameter, or null when the client sent none.</summary>
    public string? User => this["user"];

    /// <summary>The <c>database</c> parameter, defaulting to the user name as PostgreSQL does.</summary>
    public string? Database => this["database"] ?? User;

    /// <summary>All parameters in the order the client sent them.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> All => _parameters;

    /// <summary>The value of <paramref name="name"/>, or null.</summary>
    public string? this[string name]
    {
        get
        {
            foreach (KeyValuePair<string, string> parameter in _parameters)
            {
                if (string.Equals(parameter.Key, name, StringComparison.Ordinal))
                {
                    return parameter.Value;
                }
            }

            return null;
        }
    }
}
