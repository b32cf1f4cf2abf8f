using Gateway.Host.Configuration;
using Gateway.Host.Grants;
using Gateway.Host.Identities;
using Gateway.Testing;

namespace Gateway.Host.Tests.Configuration;

public sealed class GatewayConfigurationLoaderTests : IDisposable
{
    private static readonly string Hash = ApiKey.Hash(ApiKey.Create());
    private static readonly string Hash2 = ApiKey.Hash(ApiKey.Create());
    private readonly string _directory = Directory.CreateTempSubdirectory("gateway-config-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void Load_ValidFile_ResolvesTargetsScopesPoliciesAndSecrets()
    {
        File.WriteAllText(Path.Combine(_directory, "pw"), "from-a-file\n");
        LoadedConfiguration configuration = Load($$"""
            {
              // comments are allowed
              "listeners": [ { "address": "127.0.0.1:6432" } ],
              "control": { "address": "127.0.0.1:6480", "gatewayAddress": "db-gateway.internal:6432" },
              "limits": { "loginTimeoutSeconds": 5, "maxMessageSize": 1048576 },
              "targets": [ { "name": "shop", "host": "127.0.0.1", "port": 5433, "database": "shopdb", "allowOptionSettings": [ "statement_timeout" ],
                             "scopes": { "read": { "access": "read", "user": "reader", "password": { "file": "pw" }, "tables": [ "public.orders" ] } } } ],
              "identities": [ { "name": "a1", "kind": "agent", "apiKeyHash": "{{Hash}}" },
                              { "name": "r1", "kind": "reviewer", "groups": [ "dba" ], "apiKeyHash": "{{Hash2}}" } ],
              "policies": [ { "name": "p", "agents": [ "a1" ], "targets": [ "shop" ], "scopes": [ "read" ], "maxDuration": "1h30m",
                              "approval": { "mode": "reviewers", "group": "dba" }, "allowedHours": { "from": "08:00", "to": "18:00" } } ],
            }
            """);
        TargetScope scope = configuration.Targets["shop"]["read"];
        Assert.Equal("read", scope.Access);
        Assert.Equal(["public.orders"], scope.Tables);
        Assert.Equal("shopdb", scope.Upstream.Database);
        Assert.Equal("reader", scope.Upstream.User);
        Assert.Equal("***", scope.Upstream.Password.ToString());
        Assert.Contains("statement_timeout", (IReadOnlySet<string>)scope.Upstream.StartupParameters.AllowedOptionSettings);
        Assert.Equal(TimeSpan.FromSeconds(5), configuration.Gateway.LoginTimeout);
        Assert.Equal(1048576, configuration.Gateway.MaxMessageSize);
        AccessPolicy policy = Assert.Single(configuration.Policies);
        Assert.Equal(TimeSpan.FromMinutes(90), policy.MaxDuration);
        Assert.Equal("dba", policy.ReviewerGroup);
        Assert.NotNull(policy.Hours);
        Assert.Equal(2, configuration.Identities.Count);
        Assert.Equal("db-gateway.internal:6432", configuration.Control!.GatewayAddress);
        Assert.Equal(6432, configuration.Listeners[0].EndPoint.Port);
    }

    [Theory]
    [InlineData("""{ "listeners": [] }""", "listeners")]
    [InlineData("""{ "listeners": [ { "address": "nonsense" } ] }""", "listeners[0].address")]
    [InlineData("""{ "listeners": [ { "address": "127.0.0.1:1", "requireTls": true } ] }""", "listeners[0].requireTls")]
    [InlineData("""{ "listeners": [ { "address": "127.0.0.1:1" } ], "unknownField": 1 }""", "unknownField")]
    [InlineData("""{ "listeners": [ { "address": "127.0.0.1:1" } ], "targets": [ { "name": "t", "host": "h", "database": "d", "scopes": { "read": { "access": "read", "user": "u", "password": { } } } } ] }""", "targets[0].scopes.read.password")]
    [InlineData("""{ "listeners": [ { "address": "127.0.0.1:1" } ], "targets": [ { "name": "t", "host": "h", "database": "d", "scopes": { "read": { "access": "read", "user": "u", "password": { "env": "GATEWAY_TEST_UNSET_VARIABLE" } } } } ] }""", "GATEWAY_TEST_UNSET_VARIABLE")]
    [InlineData("""{ "listeners": [ { "address": "127.0.0.1:1" } ], "targets": [ { "name": "t", "host": "h", "database": "d", "scopes": { "read": { "access": "all", "user": "u", "password": { "env": "HOME" } } } } ] }""", "targets[0].scopes.read.access")]
    [InlineData("""{ "listeners": [ { "address": "127.0.0.1:1" } ], "targets": [ { "name": "t", "host": "h", "database": "d" } ] }""", "targets[0].scopes")]
    [InlineData("""{ "listeners": [ { "address": "127.0.0.1:1" } ], "targets": [ { "name": "t", "host": "h", "database": "d", "tls": { "mode": "verify-full" }, "scopes": { "r": { "access": "read", "user": "u", "password": { "env": "HOME" } } } } ] }""", "caBundle")]
    [InlineData("""{ "listeners": [ { "address": "127.0.0.1:1" } ], "targets": [ { "name": "t", "host": "h", "database": "d", "tls": { "mode": "prefer" }, "scopes": { "r": { "access": "read", "user": "u", "password": { "env": "HOME" } } } } ] }""", "tls.mode")]
    [InlineData("""{ "listeners": [ { "address": "127.0.0.1:1" } ], "identities": [ { "name": "a", "kind": "agent", "apiKeyHash": "gck_the-key-itself" } ] }""", "identities[0].apiKeyHash")]
    [InlineData("""{ "listeners": [ { "address": "127.0.0.1:1" } ], "identities": [ { "name": "a", "kind": "root", "apiKeyHash": "x" } ] }""", "identities[0].kind")]
    [InlineData("""{ "listeners": [ { "address": "127.0.0.1:1" } ], "policies": [ { "name": "p", "targets": [ "nope" ], "maxDuration": "1h" } ] }""", "unknown target")]
    [InlineData("""{ "listeners": [ { "address": "127.0.0.1:1" } ], "policies": [ { "name": "p", "maxDuration": "forever" } ] }""", "policies[0].maxDuration")]
    [InlineData("""{ "listeners": [ { "address": "127.0.0.1:1" } ], "policies": [ { "name": "p", "maxDuration": "1h", "approval": { "mode": "reviewers" } } ] }""", "policies[0].approval.group")]
    [InlineData("""{ "listeners": [ { "address": "127.0.0.1:1" } ], "store": { "kind": "mysql" } }""", "store.kind")]
    [InlineData("""{ "listeners": [ { "address": "127.0.0.1:1" } ], "limits": { "loginTimeoutSeconds": 0 } }""", "limits.LoginTimeout")]
    [InlineData("""{ "listeners": [ { "address": "127.0.0.1:1" } ], "audit": { "witnessFile": "audit/witness.log" } }""", "audit.witnessFile: must be outside")]
    [InlineData("""{ "listeners": [ { "address": "127.0.0.1:1" } ], "audit": { "witnessFile": "not-mounted/witness.log" } }""", "is the witness mounted")]
    [InlineData("""{ "listeners": [ { "address": "127.0.0.1:1" } ], "audit": { "checkpointIntervalSeconds": 0 } }""", "audit.checkpointIntervalSeconds")]
    [InlineData("""{ "listeners": [ { "address": "127.0.0.1:1" } ], "audit": { "witnessUrl": "ftp://witness" } }""", "audit.witnessUrl")]
    public void Load_InvalidFile_FailsNamingTheField(string json, string field)
    {
        ConfigurationException error = Assert.Throws<ConfigurationException>(() => Load(json));
        Assert.Contains(field, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_ListenerTls_LoadsPemCertificate()
    {
        TestCertificates certificates = TestCertificates.Create(Path.Combine(_directory, "tls"));
        LoadedConfiguration configuration = Load("""
            { "listeners": [ { "address": "127.0.0.1:0", "tls": { "certificate": "tls/server.crt", "key": "tls/server.key" }, "requireTls": true } ] }
            """);
        Assert.NotNull(configuration.Listeners[0].Options.Tls);
        Assert.True(configuration.Listeners[0].Options.RequireTls);
        Assert.NotNull(certificates.Server);
    }

    private LoadedConfiguration Load(string json)
    {
        string path = Path.Combine(_directory, "gateway.json");
        File.WriteAllText(path, json);
        return GatewayConfigurationLoader.Load(path);
    }
}
