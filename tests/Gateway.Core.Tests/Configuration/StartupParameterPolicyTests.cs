using System.Collections.Frozen;
using Gateway.Core.Configuration;
using Gateway.Core.Protocol.Postgres;

namespace Gateway.Core.Tests.Configuration;

/// <summary>PROTO-06 at the policy level: what a client's startup parameters may carry upstream.</summary>
public sealed class StartupParameterPolicyTests
{
    private static readonly StartupParameterPolicy AllowsStatementTimeout = StartupParameterPolicy.Default with
    {
        AllowedOptionSettings = FrozenSet.Create(StringComparer.OrdinalIgnoreCase, "statement_timeout", "application_name"),
    };

    [Theory]
    [InlineData("database")]
    [InlineData("true")]
    [InlineData("1")]
    [InlineData("on")]
    [InlineData("yes")]
    [InlineData("false")]
    [InlineData("0")]
    [InlineData("")]
    public void TryFilter_Replication_IsRefusedWhateverItsValue(string value)
    {
        (bool allowed, List<KeyValuePair<string, string>> forwarded, string refusal) = Filter(StartupParameterPolicy.Default, ("user", "u"), ("replication", value));

        Assert.False(allowed);
        Assert.Contains("replication", refusal, StringComparison.Ordinal);
        Assert.DoesNotContain(forwarded, p => p.Key == "replication");
    }

    [Fact]
    public void TryFilter_ReplicationEvenWhenListedAsForwarded_IsRefused()
    {
        StartupParameterPolicy policy = StartupParameterPolicy.Default with
        {
            ForwardedParameters = FrozenSet.Create(StringComparer.OrdinalIgnoreCase, "replication", "options"),
        };

        Assert.False(Filter(policy, ("replication", "database")).Allowed);
    }

    [Theory]
    [InlineData("-c statement_timeout=5s")]
    [InlineData("-cstatement_timeout=5s")]
    [InlineData("--statement_timeout=5s")]
    [InlineData("--statement-timeout=5s")]
    [InlineData("-c STATEMENT_TIMEOUT=5s")]
    [InlineData("  -c statement_timeout=5s\t-c application_name=x  ")]
    [InlineData("-c application_name=two\\ words")]
    [InlineData("-c application_name=x\\ -c\\ default_transaction_read_only=off")] // one escaped word: a value, as PostgreSQL reads it
    [InlineData("-c statement_timeout=5s\\")] // a trailing backslash escapes nothing
    [InlineData("")]
    public void TryFilter_OptionsWithOnlyAllowedSettings_IsForwardedVerbatim(string options)
    {
        (bool allowed, List<KeyValuePair<string, string>> forwarded, string refusal) = Filter(AllowsStatementTimeout, ("options", options));

        Assert.True(allowed, refusal);
        Assert.Equal([new KeyValuePair<string, string>("options", options)], forwarded);
    }

    [Theory]
    [InlineData("-c default_transaction_read_only=off")]
    [InlineData("-cdefault_transaction_read_only=off")]
    [InlineData("--default_transaction_read_only=off")]
    [InlineData("--default-transaction-read-only=off")]
    [InlineData("-c search_path=evil")]
    [InlineData("-c session_authorization=postgres")]
    [InlineData("-c role=postgres")]
    [InlineData("-c statement_timeout=5s -c default_transaction_read_only=off")]
    [InlineData("-c statement_timeout=5s --default_transaction_read_only=off")]
    [InlineData("-c\\ default_transaction_read_only=off")]
    [InlineData("-c statement_timeout")] // no value
    [InlineData("-c =5s")] // no name
    [InlineData("-c")] // no setting
    [InlineData("-c statement_timeout=5s -c")]
    [InlineData("--")]
    [InlineData("-e")] // other postgres switches (European dates)
    [InlineData("-F")] // fsync off
    [InlineData("-B 100")]
    [InlineData("-C statement_timeout=5s")]
    [InlineData("-ec statement_timeout=5s")]
    [InlineData("statement_timeout=5s")]
    [InlineData("-c application_name=\u00e0 -c statement_timeout=5s")] // non-ASCII: a locale could split it elsewhere
    [InlineData("-c\u00a0default_transaction_read_only=off")]
    public void TryFilter_OptionsWithAnyOtherWord_IsRefused(string options)
    {
        (bool allowed, List<KeyValuePair<string, string>> forwarded, string refusal) = Filter(AllowsStatementTimeout, ("user", "u"), ("options", options));

        Assert.False(allowed);
        Assert.Contains("options", refusal, StringComparison.Ordinal);
        Assert.DoesNotContain(forwarded, p => p.Key == "options");
    }

    [Theory]
    [InlineData("-c statement_timeout=5s")]
    [InlineData("--application_name=x")]
    public void TryFilter_DefaultPolicyWithAnySetting_RefusesOptions(string options)
        => Assert.False(Filter(StartupParameterPolicy.Default, ("options", options)).Allowed);

    [Theory]
    [InlineData("search_path", "evil,public")]
    [InlineData("role", "postgres")]
    [InlineData("session_authorization", "postgres")]
    [InlineData("_pq_.compression", "on")]
    [InlineData("_pq_.unknown", "1")]
    [InlineData("default_transaction_read_only", "off")]
    [InlineData("Replication", "database")] // not PostgreSQL's "replication": a GUC name, and not a forwarded one
    [InlineData("OPTIONS", "-c default_transaction_read_only=off")]
    [InlineData("password", "hunter2")]
    public void TryFilter_ParameterNotListed_IsDroppedSilently(string name, string value)
    {
        (bool allowed, List<KeyValuePair<string, string>> forwarded, string refusal) = Filter(StartupParameterPolicy.Default, ("user", "u"), (name, value), ("application_name", "psql"));

        Assert.True(allowed, refusal);
        Assert.Equal([new KeyValuePair<string, string>("application_name", "psql")], forwarded);
    }

    [Theory]
    [InlineData("application_name", "psql")]
    [InlineData("client_encoding", "UTF8")]
    [InlineData("DateStyle", "ISO, MDY")]
    [InlineData("datestyle", "ISO")]
    [InlineData("TimeZone", "Europe/Zürich")]
    [InlineData("extra_float_digits", "3")]
    [InlineData("statement_timeout", "5s")]
    public void TryFilter_DefaultForwardedParameter_IsForwardedAsSent(string name, string value)
    {
        (bool allowed, List<KeyValuePair<string, string>> forwarded, _) = Filter(StartupParameterPolicy.Default, (name, value));

        Assert.True(allowed);
        Assert.Equal([new KeyValuePair<string, string>(name, value)], forwarded);
    }

    [Fact]
    public void TryFilter_UserAndDatabase_AreNeverForwardedEvenWhenListed()
    {
        StartupParameterPolicy policy = StartupParameterPolicy.Default with
        {
            ForwardedParameters = FrozenSet.Create(StringComparer.Ordinal, "user", "database", "application_name"),
        };

        (bool allowed, List<KeyValuePair<string, string>> forwarded, _) = Filter(policy, ("user", "postgres"), ("database", "postgres"), ("application_name", "a"));

        Assert.True(allowed);
        Assert.Equal([new KeyValuePair<string, string>("application_name", "a")], forwarded);
    }

    [Fact]
    public void TryFilter_Allowed_AppendsAfterWhatTheListAlreadyHoldsInClientOrder()
    {
        var forwarded = new List<KeyValuePair<string, string>> { new("user", "app"), new("database", "shop") };
        var client = new StartupParameters([new("user", "agent"), new("TimeZone", "UTC"), new("database", "other"), new("search_path", "x"), new("application_name", "a")]);

        Assert.True(StartupParameterPolicy.Default.TryFilter(client, forwarded, out string refusal), refusal);

        Assert.Equal(
            [new("user", "app"), new("database", "shop"), new("TimeZone", "UTC"), new KeyValuePair<string, string>("application_name", "a")],
            forwarded);
        Assert.Equal("", refusal);
    }

    private static (bool Allowed, List<KeyValuePair<string, string>> Forwarded, string Refusal) Filter(StartupParameterPolicy policy, params (string Name, string Value)[] parameters)
    {
        var client = new StartupParameters(parameters.Select(p => new KeyValuePair<string, string>(p.Name, p.Value)));
        var forwarded = new List<KeyValuePair<string, string>>();
        bool allowed = policy.TryFilter(client, forwarded, out string refusal);
        return (allowed, forwarded, refusal);
    }
}
