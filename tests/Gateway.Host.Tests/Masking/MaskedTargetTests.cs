using Gateway.Core.Masking;
using Gateway.Host.Configuration;
using Gateway.Host.Control;
using Gateway.Host.Grants;
using Gateway.Host.Tests.Support;
using Gateway.Testing;
using Npgsql;

namespace Gateway.Host.Tests.Masking;

/// <summary>
/// The host's masking: a target's <c>masking</c> section, its catalog read on the gateway's own connection, and a
/// grant's session masked end to end, with the counts kept for the session's record.
/// </summary>
public sealed class MaskedTargetTests(PostgresServer postgres) : IDisposable
{
    private const string TokenKeyVariable = "GATEWAY_TEST_TOKEN_KEY";
    private const string ReaderPasswordVariable = "GATEWAY_TEST_MASK_READER";

    /// <summary>The test's SQLite store, and the audit trail of the configurations it only loads.</summary>
    private readonly TempDirectory _directory = TempDirectory.Create("gateway-masking-");

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task Serve_MaskedTarget_MasksTheRowsOfAGrantSessionAndCountsThem()
    {
        MaskingDatabase database = await MaskingDatabase.GetAsync(postgres);
        await using HostRig rig = await HostRig.StartAsync(postgres, SqliteStore(), configure: MaskTarget);
        GrantView grant = await rig.RequestAsync(TestIdentities.Agent, wait: 10);

        string output;
        await using (NpgsqlConnection connection = await rig.ConnectAsync(grant.Credential!))
        {
            output = await MaskedGateway.QueryAsync(connection, "SELECT name, ssn, upper(email), phone FROM customers ORDER BY id");
        }

        Assert.Contains(database.People[0].Name + "|[redacted]|[redacted]|", output, StringComparison.Ordinal);
        Assert.Empty(database.LeaksIn(output));
        var state = (GrantSessionState)(await rig.Observer.WaitForCloseAsync(_ => true)).State!;
        Assert.Equal(grant.Id, state.Grant.Id);
        Assert.Equal(MaskingDatabase.Customers, state.Masking!.ByRule["public.customers.ssn"]);
        Assert.Equal(MaskingDatabase.Customers, state.Masking.ByRule["public.customers.phone"]);
    }

    [Theory]
    [InlineData("public.customers", "redact", "is not schema.table.column")]
    [InlineData("public.customers.ssn", "scramble", "is not redact, partial, token or null")]
    [InlineData("public.customers.ssn", "token", "tokenKey: required by the token style")]
    public void Load_InvalidMaskingSection_NamesTheField(string column, string style, string message)
    {
        GatewayConfiguration raw = TestConfiguration.Create(postgres, 1, 2, SqliteStore(), Trail);
        raw.Targets[0].Masking = new MaskingConfiguration { Columns = [new MaskedColumnConfiguration { Column = column, Style = style }] };

        var error = Assert.Throws<ConfigurationException>(() => GatewayConfigurationLoader.Resolve(raw, Path.GetTempPath()));

        Assert.Contains("targets[0].masking", error.Message, StringComparison.Ordinal);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_CustomDetectorThatDoesNotCompile_IsRefused()
    {
        GatewayConfiguration raw = TestConfiguration.Create(postgres, 1, 2, SqliteStore(), Trail);
        raw.Targets[0].Masking = new MaskingConfiguration { CustomDetectors = [new CustomDetectorConfiguration { Name = "broken", Pattern = "([a-z" }] };

        var error = Assert.Throws<ConfigurationException>(() => GatewayConfigurationLoader.Resolve(raw, Path.GetTempPath()));

        Assert.Contains("targets[0].masking", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_MaskingSection_ResolvesPolicyAndDetectors()
    {
        GatewayConfiguration raw = TestConfiguration.Create(postgres, 1, 2, SqliteStore(), Trail);
        MaskTarget(raw);
        raw.Targets[0].Masking!.Detectors = ["email", "us_ssn"];

        LoadedConfiguration loaded = GatewayConfigurationLoader.Resolve(raw, Path.GetTempPath());

        MaskingPolicy policy = loaded.Masking[TestConfiguration.Target].Policy;
        Assert.Equal(ContentDetectors.Email | ContentDetectors.UsSsn, policy.Detectors);
        Assert.Contains(policy.Columns, c => c.ToString() == "public.customers.phone" && c.Style == MaskStyle.Partial && c.KeepLast == 2);
        Assert.DoesNotContain(MaskingDatabase.ReaderPassword, loaded.Masking[TestConfiguration.Target].ToString(), StringComparison.Ordinal);
    }

    private string Trail => Path.Combine(_directory.Path, "trail");

    private StoreConfiguration SqliteStore()
        => new() { Kind = "sqlite", Path = Path.Combine(_directory.Path, "gateway.db") };

    private static void MaskTarget(GatewayConfiguration raw)
    {
        Environment.SetEnvironmentVariable(TokenKeyVariable, "a token key of at least thirty-two bytes, for tests");
        Environment.SetEnvironmentVariable(ReaderPasswordVariable, MaskingDatabase.ReaderPassword);
        TargetConfiguration target = raw.Targets[0];
        target.Database = MaskingDatabase.Name;
        target.Scopes = new()
        {
            ["read"] = new ScopeConfiguration { Access = "read", User = MaskingDatabase.Reader, Password = new SecretReference { Env = ReaderPasswordVariable } },
        };
        target.Masking = new MaskingConfiguration
        {
            Columns =
            [
                new MaskedColumnConfiguration { Column = "public.customers.ssn" },
                new MaskedColumnConfiguration { Column = "public.customers.email", Style = "token" },
                new MaskedColumnConfiguration { Column = "public.customers.phone", Style = "partial", KeepLast = 2 },
            ],
            TokenKey = new SecretReference { Env = TokenKeyVariable },
        };
        raw.Policies.RemoveAll(p => p.Scopes.Any(s => s != "read"));
    }
}
