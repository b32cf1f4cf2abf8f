using Gateway.Host.Configuration;
using Gateway.Host.Identities;

namespace Gateway.Host.Tests.Support;

/// <summary>The identities every host test configures, with their API keys (made once per test run).</summary>
internal static class TestIdentities
{
    public const string Agent = "agent-1";
    public const string OtherAgent = "agent-2";
    public const string Reviewer = "reviewer-1";
    public const string OtherReviewer = "reviewer-2";
    public const string OutsideReviewer = "reviewer-other-group";
    public const string Admin = "admin-1";
    public const string ReviewerGroup = "dba";

    private static readonly Dictionary<string, string> Keys = new[] { Agent, OtherAgent, Reviewer, OtherReviewer, OutsideReviewer, Admin }
        .ToDictionary(name => name, _ => ApiKey.Create());

    public static string KeyOf(string name) => Keys[name];

    public static List<IdentityConfiguration> Configuration() =>
    [
        new() { Name = Agent, Kind = "agent", ApiKeyHash = ApiKey.Hash(Keys[Agent]) },
        new() { Name = OtherAgent, Kind = "agent", ApiKeyHash = ApiKey.Hash(Keys[OtherAgent]) },
        new() { Name = Reviewer, Kind = "reviewer", Groups = [ReviewerGroup], ApiKeyHash = ApiKey.Hash(Keys[Reviewer]) },
        new() { Name = OtherReviewer, Kind = "reviewer", Groups = [ReviewerGroup], ApiKeyHash = ApiKey.Hash(Keys[OtherReviewer]) },
        new() { Name = OutsideReviewer, Kind = "reviewer", Groups = ["finance"], ApiKeyHash = ApiKey.Hash(Keys[OutsideReviewer]) },
        new() { Name = Admin, Kind = "admin", ApiKeyHash = ApiKey.Hash(Keys[Admin]) },
    ];
}
