using Gateway.Host.Configuration;
using Gateway.Testing;

namespace Gateway.Host.Tests.Support;

/// <summary>
/// A gateway configuration in front of the test PostgreSQL: target <c>shop</c> with scopes <c>read</c> (approved by
/// policy), <c>write</c> (one reviewer of group dba) and <c>pair</c> (two reviewers), for agent-1 and agent-2. The audit
/// log, witness file and recordings go under <c>trail</c>, which the caller owns and deletes.
/// </summary>
internal static class TestConfiguration
{
    public const string Target = "shop";
    public const string UpstreamPasswordVariable = "GATEWAY_TEST_UPSTREAM";

    public static GatewayConfiguration Create(PostgresServer postgres, int pgPort, int controlPort, StoreConfiguration store, string trail, int watchMilliseconds = 100)
    {
        Environment.SetEnvironmentVariable(UpstreamPasswordVariable, PostgresServer.AppPassword);
        Directory.CreateDirectory(Path.Combine(trail, "witness"));
        ScopeConfiguration Scope(string access) => new()
        {
            Access = access,
            User = PostgresServer.AppUser,
            Password = new SecretReference { Env = UpstreamPasswordVariable },
        };
        return new GatewayConfiguration
        {
            Listeners = [new ListenerConfiguration { Address = $"127.0.0.1:{pgPort}" }],
            Control = new ControlConfiguration { Address = $"127.0.0.1:{controlPort}", WatchIntervalMilliseconds = watchMilliseconds },
            Store = store,
            Limits = new LimitsConfiguration { ShutdownTimeoutSeconds = 3 },

            // Each gateway its own audit log and recordings: a chain is one instance's.
            Audit = new AuditConfiguration
            {
                Directory = Path.Combine(trail, "audit"),
                WitnessFile = Path.Combine(trail, "witness", "checkpoints.log"),
                Recordings = new RecordingConfiguration { Directory = Path.Combine(trail, "recordings") },
            },
            Targets =
            [
                new TargetConfiguration
                {
                    Name = Target,
                    Host = "127.0.0.1",
                    Port = postgres.Port,
                    Database = PostgresServer.Database,
                    Scopes = new() { ["read"] = Scope("read"), ["write"] = Scope("write"), ["pair"] = Scope("write") },
                },
            ],
            Identities = TestIdentities.Configuration(),
            Policies =
            [
                new PolicyConfiguration { Name = "read-auto", Agents = ["*"], Targets = [Target], Scopes = ["read"], MaxDuration = "1h" },
                new PolicyConfiguration
                {
                    Name = "write-reviewed", Agents = [TestIdentities.Agent, TestIdentities.OtherAgent], Targets = [Target], Scopes = ["write"], MaxDuration = "30m",
                    Approval = new ApprovalConfiguration { Mode = "reviewers", Group = TestIdentities.ReviewerGroup },
                },
                new PolicyConfiguration
                {
                    Name = "pair-reviewed", Agents = [TestIdentities.Agent], Targets = [Target], Scopes = ["pair"], MaxDuration = "30m",
                    Approval = new ApprovalConfiguration { Mode = "reviewers", Group = TestIdentities.ReviewerGroup, Count = 2 },
                },
            ],
        };
    }
}
