using Gateway.Core.Authentication;
using Gateway.Core.Configuration;
using Gateway.Host.Configuration;
using Gateway.Testing;

namespace Gateway.Host.Tests.Configuration;

public sealed class GatewayConfigurationLoaderTests : IDisposable
{
    private static readonly string Verifier = ScramVerifier.Create("secret").ToString();
    private readonly string _directory = Directory.CreateTempSubdirectory("gateway-config-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void Load_ValidFile_ResolvesTargetsAgentsAndSecrets()
    {
        File.WriteAllText(Path.Combine(_directory, "pw"), "from-a-file\n");
        LoadedConfiguration configuration = Load($$"""
            {
              // comments are allowed
              "listeners": [ { "address": "127.0.0.1:6432" } ],
              "limits": { "loginTimeoutSeconds": 5, "maxMessageSize": 1048576 },
              "targets": [ { "name": "shop", "host": "127.0.0.1", "port": 5433, "database": "shopdb", "user": "reader",
                             "password": { "file": "pw" }, "allowOptionSettings": [ "statement_timeout" ] } ],
              "agents": [ { "name": "a1", "verifier": "{{Verifier}}", "targets": [ "shop" ] } ],
            }
            """);
        UpstreamTarget target = configuration.Targets["shop"];
        Assert.Equal("shopdb", target.Database);
        Assert.Equal("reader", target.User);
        Assert.Equal("***", target.Password.ToString());
        Assert.Contains("statement_timeout", (IReadOnlySet<string>)target.StartupParameters.AllowedOptionSettings);
        Assert.Equal(TimeSpan.FromSeconds(5), configuration.Gateway.LoginTimeout);
        Assert.Equal(1048576, configuration.Gateway.MaxMessageSize);
        Assert.Contains("shop", (IReadOnlySet<string>)configuration.Agents["a1"].Targets);
        Assert.Equal(6432, configuration.Listeners[0].EndPoint.Port);
    }

    [Theory]
    [InlineData("""{ "listeners": [] }""", "listeners")]
    [InlineData("""{ "listeners": [ { "address": "nonsense" } ] }""", "listeners[0].address")]
    [InlineData("""{ "listeners": [ { "address": "127.0.0.1:1", "requireTls": true } ] }""", "listeners[0].requireTls")]
    [InlineData("""{ "listeners": [ { "address": "127.0.0.1:1" } ], "unknownField": 1 }""", "unknownField")]
    [InlineData("""{ "listeners": [ { "address": "127.0.0.1:1" } ], "targets": [ { "name": "t", "host": "h", "database": "d", "user": "u", "password": { } } ] }""", "targets[0].password")]
    [InlineData("""{ "listeners": [ { "address": "127.0.0.1:1" } ], "targets": [ { "name": "t", "host": "h", "database": "d", "user": "u", "password": { "env": "GATEWAY_TEST_UNSET_VARIABLE" } } ] }""", "GATEWAY_TEST_UNSET_VARIABLE")]
    [InlineData("""{ "listeners": [ { "address": "127.0.0.1:1" } ], "targets": [ { "name": "t", "host": "h", "database": "d", "user": "u", "password": { "env": "HOME" }, "tls": { "mode": "verify-full" } } ] }""", "caBundle")]
    [InlineData("""{ "listeners": [ { "address": "127.0.0.1:1" } ], "targets": [ { "name": "t", "host": "h", "database": "d", "user": "u", "password": { "env": "HOME" }, "tls": { "mode": "prefer" } } ] }""", "tls.mode")]
    [InlineData("""{ "listeners": [ { "address": "127.0.0.1:1" } ], "agents": [ { "name": "a", "verifier": "plaintext-password" } ] }""", "agents[0].verifier")]
    [InlineData("""{ "listeners": [ { "address": "127.0.0.1:1" } ], "limits": { "loginTimeoutSeconds": 0 } }""", "limits.LoginTimeout")]
    public void Load_InvalidFile_FailsNamingTheField(string json, string field)
    {
        ConfigurationException error = Assert.Throws<ConfigurationException>(() => Load(json));
        Assert.Contains(field, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_AgentOnUnknownTarget_Fails()
    {
        ConfigurationException error = Assert.Throws<ConfigurationException>(() => Load($$"""
            { "listeners": [ { "address": "127.0.0.1:1" } ], "agents": [ { "name": "a", "verifier": "{{Verifier}}", "targets": [ "nope" ] } ] }
            """));
        Assert.Contains("unknown target \"nope\"", error.Message, StringComparison.Ordinal);
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
