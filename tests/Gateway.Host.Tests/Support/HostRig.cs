using System.Net.Http.Headers;
using System.Net.Http.Json;
using Gateway.Core.Sessions;
using Gateway.Host.Commands;
using Gateway.Host.Configuration;
using Gateway.Host.Control;
using Gateway.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Gateway.Host.Tests.Support;

/// <summary>
/// The whole reference host in-process (PostgreSQL listener, grants, control API on real loopback ports) over a
/// SQLite file or a PostgreSQL store, optionally on a fake clock. Its audit trail lives in a temp directory of its own,
/// deleted when the rig is disposed; the store is the caller's (two rigs may share one).
/// </summary>
internal sealed class HostRig : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly TempDirectory _trail;
    private readonly List<HttpClient> _clients = [];
    private bool _stopped;

    private HostRig(WebApplication app, TempDirectory trail, int pgPort, int controlPort, StoreConfiguration store)
    {
        _app = app;
        _trail = trail;
        PgPort = pgPort;
        ControlPort = controlPort;
        Store = store;
    }

    public int PgPort { get; }

    public int ControlPort { get; }

    public StoreConfiguration Store { get; }

    public IServiceProvider Services => _app.Services;

    public PgGateway Gateway => _app.Services.GetRequiredService<PgGateway>();

    public RecordingObserver Observer { get; private init; } = null!;

    public static async Task<HostRig> StartAsync(
        PostgresServer postgres,
        StoreConfiguration store,
        TimeProvider? time = null,
        int watchMilliseconds = 100,
        Action<GatewayConfiguration>? configure = null,
        Action<IServiceCollection, LoadedConfiguration>? services = null)
    {
        postgres.EnsureAvailable();
        int pgPort = FreePort.Next();
        int controlPort = FreePort.Next();
        var trail = TempDirectory.Create("gateway-trail-");
        WebApplication? app = null;
        try
        {
            GatewayConfiguration raw = TestConfiguration.Create(postgres, pgPort, controlPort, store, trail.Path, watchMilliseconds);
            configure?.Invoke(raw);
            LoadedConfiguration configuration = GatewayConfigurationLoader.Resolve(raw, Path.GetTempPath());
            var observer = new RecordingObserver();
            app = ServeCommand.Build(configuration, textLogs: true, time ?? TimeProvider.System,
                collection =>
                {
                    collection.AddSingleton<IPgSessionObserver>(observer);
                    services?.Invoke(collection, configuration);
                });
            await app.StartAsync();
            return new HostRig(app, trail, pgPort, controlPort, store) { Observer = observer };
        }
        catch
        {
            if (app is not null)
            {
                await app.DisposeAsync();
            }

            trail.Dispose();
            throw;
        }
    }

    /// <summary>An HTTP client of the control API that presents <paramref name="identity"/>'s key (null: no key).</summary>
    public HttpClient Api(string? identity)
    {
        var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{ControlPort}") };
        if (identity is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", TestIdentities.KeyOf(identity));
        }

        _clients.Add(client);
        return client;
    }

    /// <summary>Requests a grant as <paramref name="agent"/> and returns the API's answer (with the credential when it came back active).</summary>
    public async Task<GrantView> RequestAsync(string agent, string scope = "read", string duration = "10m", int wait = 0)
    {
        HttpResponseMessage response = await Api(agent).PostAsJsonAsync("/v1/grants",
            new GrantRequestBody(TestConfiguration.Target, scope, duration, "integration test task", "because tests", wait, true),
            ControlJsonContext.Default.GrantRequestBody);
        string body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, body);
        return System.Text.Json.JsonSerializer.Deserialize(body, ControlJsonContext.Default.GrantView)!;
    }

    public async Task<GrantView> PostAsync(string identity, string path, string? reason = "test")
    {
        HttpResponseMessage response = await Api(identity).PostAsJsonAsync(path, new ReasonBody(reason), ControlJsonContext.Default.ReasonBody);
        string body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, body);
        return System.Text.Json.JsonSerializer.Deserialize(body, ControlJsonContext.Default.GrantView)!;
    }

    public string ConnectionString(CredentialView credential, string? database = null, string? user = null, string? password = null)
        => $"Host=127.0.0.1;Port={PgPort};Username={user ?? credential.User};Password={password ?? credential.Password};Database={database ?? credential.Database};Pooling=false;SSL Mode=Disable";

    public async Task<NpgsqlConnection> ConnectAsync(CredentialView credential)
    {
        var connection = new NpgsqlConnection(ConnectionString(credential));
        await connection.OpenAsync();
        return connection;
    }

    public async Task StopAsync()
    {
        if (!_stopped)
        {
            _stopped = true;
            await _app.StopAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (HttpClient client in _clients)
        {
            client.Dispose();
        }

        await StopAsync();
        await _app.DisposeAsync();
        _trail.Dispose();
    }
}
