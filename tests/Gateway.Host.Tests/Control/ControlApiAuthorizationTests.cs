using System.Net;
using System.Net.Http.Json;
using Gateway.Host.Configuration;
using Gateway.Host.Control;
using Gateway.Host.Tests.Support;
using Gateway.Testing;

namespace Gateway.Host.Tests.Control;

/// <summary>PROTO-14: every control-plane verb checks its caller, tested with a caller that may not use it.</summary>
public sealed class ControlApiAuthorizationTests(PostgresServer postgres) : IAsyncLifetime
{
    private readonly TempDirectory _store = TempDirectory.Create("gateway-api-");
    private HostRig _rig = null!;

    public async ValueTask InitializeAsync()
        => _rig = await HostRig.StartAsync(postgres, new StoreConfiguration { Path = Path.Combine(_store.Path, "gateway.db") });

    public async ValueTask DisposeAsync()
    {
        if (_rig is not null)
        {
            await _rig.DisposeAsync();
        }

        _store.Dispose();
    }

    [Theory]
    [InlineData("GET", "/v1/whoami")]
    [InlineData("GET", "/v1/grants")]
    [InlineData("POST", "/v1/grants")]
    [InlineData("GET", "/v1/identities")]
    [InlineData("POST", "/v1/grants/g_x/revoke")]
    public async Task AnyEndpoint_WithoutOrWithABadKey_Is401(string method, string path)
    {
        foreach (HttpClient client in new[] { _rig.Api(null), WithKey("gck_" + new string('x', 43)), WithKey("not-a-key") })
        {
            using HttpResponseMessage response = await client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path) { Content = JsonContent.Create(new { }) });
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
        }
    }

    [Theory]
    [InlineData(TestIdentities.Reviewer)]
    [InlineData(TestIdentities.Admin)]
    public async Task Request_ByANonAgent_Is403(string caller)
    {
        using HttpResponseMessage response = await _rig.Api(caller).PostAsJsonAsync("/v1/grants",
            new GrantRequestBody(TestConfiguration.Target, "read", "10m", "t", null, 0, true), ControlJsonContext.Default.GrantRequestBody);
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Theory]
    [InlineData("approve", TestIdentities.Agent, HttpStatusCode.Forbidden)]
    [InlineData("approve", TestIdentities.OtherAgent, HttpStatusCode.NotFound)]
    [InlineData("approve", TestIdentities.OutsideReviewer, HttpStatusCode.Forbidden)]
    [InlineData("approve", TestIdentities.Admin, HttpStatusCode.Forbidden)]
    [InlineData("deny", TestIdentities.Agent, HttpStatusCode.Forbidden)]
    [InlineData("deny", TestIdentities.OutsideReviewer, HttpStatusCode.Forbidden)]
    [InlineData("revoke", TestIdentities.OtherAgent, HttpStatusCode.NotFound)]
    [InlineData("revoke", TestIdentities.OutsideReviewer, HttpStatusCode.Forbidden)]
    [InlineData("credential", TestIdentities.Reviewer, HttpStatusCode.Forbidden)]
    [InlineData("credential", TestIdentities.OtherAgent, HttpStatusCode.NotFound)]
    public async Task Decision_ByACallerWithoutTheRight_IsRefused(string verb, string caller, HttpStatusCode expected)
    {
        GrantView pending = await _rig.RequestAsync(TestIdentities.Agent, scope: "write");

        using HttpResponseMessage response = await _rig.Api(caller).PostAsJsonAsync($"/v1/grants/{pending.Id}/{verb}", new ReasonBody("r"), ControlJsonContext.Default.ReasonBody);

        Assert.Equal(expected, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Show_AnotherAgentsGrant_IsNotFoundAndListsHideIt()
    {
        GrantView mine = await _rig.RequestAsync(TestIdentities.Agent);

        using HttpResponseMessage shown = await _rig.Api(TestIdentities.OtherAgent).GetAsync($"/v1/grants/{mine.Id}");
        List<GrantView> listed = (await _rig.Api(TestIdentities.OtherAgent).GetFromJsonAsync($"/v1/grants?agent={TestIdentities.Agent}", ControlJsonContext.Default.ListGrantView))!;
        List<GrantView> reviewers = (await _rig.Api(TestIdentities.Reviewer).GetFromJsonAsync("/v1/grants", ControlJsonContext.Default.ListGrantView))!;

        Assert.Equal(HttpStatusCode.NotFound, shown.StatusCode);
        Assert.DoesNotContain(listed, grant => grant.Id == mine.Id);
        Assert.Contains(reviewers, grant => grant.Id == mine.Id);
    }

    [Fact]
    public async Task Revoke_ByTheAgentOnItsOwnGrant_IsAllowed()
    {
        GrantView mine = await _rig.RequestAsync(TestIdentities.Agent);

        GrantView revoked = await _rig.PostAsync(TestIdentities.Agent, $"/v1/grants/{mine.Id}/revoke", "task done early");

        Assert.Equal("revoked", revoked.Status);
        Assert.Equal(TestIdentities.Agent, revoked.EndedBy);
    }

    [Theory]
    [InlineData(TestIdentities.Agent)]
    [InlineData(TestIdentities.Reviewer)]
    public async Task Identities_ByANonAdmin_Is403(string caller)
    {
        using HttpResponseMessage list = await _rig.Api(caller).GetAsync("/v1/identities");
        using HttpResponseMessage create = await _rig.Api(caller).PostAsJsonAsync("/v1/identities", new IdentityBody("sneaky", "admin", null), ControlJsonContext.Default.IdentityBody);

        Assert.Equal(HttpStatusCode.Forbidden, list.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, create.StatusCode);
    }

    [Fact]
    public async Task Identity_CreatedByAnAdmin_CanUseItsKeyAtOnce()
    {
        using HttpResponseMessage created = await _rig.Api(TestIdentities.Admin).PostAsJsonAsync("/v1/identities",
            new IdentityBody("agent-new", "agent", null), ControlJsonContext.Default.IdentityBody);
        CreatedIdentityView identity = (await created.Content.ReadFromJsonAsync(ControlJsonContext.Default.CreatedIdentityView))!;

        IdentityView whoami = (await WithKey(identity.ApiKey).GetFromJsonAsync("/v1/whoami", ControlJsonContext.Default.IdentityView))!;
        using HttpResponseMessage again = await _rig.Api(TestIdentities.Admin).PostAsJsonAsync("/v1/identities",
            new IdentityBody("agent-new", "agent", null), ControlJsonContext.Default.IdentityBody);

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(("agent-new", "agent", "api:" + TestIdentities.Admin), (whoami.Name, whoami.Kind, whoami.Source));
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
    }

    [Theory]
    [InlineData("shop", "read", "2h", "t", HttpStatusCode.BadRequest)]
    [InlineData("shop", "admin", "10m", "t", HttpStatusCode.BadRequest)]
    [InlineData("crm", "read", "10m", "t", HttpStatusCode.BadRequest)]
    [InlineData("shop", "read", "soon", "t", HttpStatusCode.BadRequest)]
    [InlineData("shop", "read", "10m", "", HttpStatusCode.BadRequest)]
    [InlineData("shop", "pair", "10m", "t", HttpStatusCode.Forbidden)]
    public async Task Request_Invalid_IsRefusedWithProblemDetails(string target, string scope, string duration, string task, HttpStatusCode expected)
    {
        using HttpResponseMessage response = await _rig.Api(TestIdentities.OtherAgent).PostAsJsonAsync("/v1/grants",
            new GrantRequestBody(target, scope, duration, task, null, 0, true), ControlJsonContext.Default.GrantRequestBody);

        Assert.Equal(expected, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    private HttpClient WithKey(string key)
    {
        HttpClient client = _rig.Api(null);
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", key);
        return client;
    }
}
