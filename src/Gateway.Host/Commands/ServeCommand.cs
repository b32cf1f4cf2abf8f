using System.CommandLine;
using Gateway.Host.Audit;
using Gateway.Host.Configuration;
using Gateway.Host.Control;
using Gateway.Host.Grants;
using Gateway.Host.Hosting;
using Gateway.Host.Identities;
using Gateway.Host.Recording;
using Gateway.Host.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Gateway.Host.Commands;

/// <summary><c>gateway serve --config FILE</c>: runs the PostgreSQL listeners and the control API until SIGTERM or Ctrl-C.</summary>
internal static class ServeCommand
{
    public static Command Create()
    {
        var config = new Option<FileInfo>("--config", "-c") { Description = "The JSON configuration file", Required = true };
        var logFormat = new Option<string>("--log-format") { Description = "json (default) or text", DefaultValueFactory = _ => "json" };
        logFormat.AcceptOnlyFromAmong("json", "text");
        var command = new Command("serve", "Run the gateway") { config, logFormat };
        command.SetAction(async (parse, cancellationToken) =>
        {
            if (await ConfigurationFile.LoadAsync(parse.GetValue(config)!) is not { } configuration)
            {
                return 2;
            }

            SocketEngine.Configure(configuration.Io);
            await using WebApplication app = Build(configuration, parse.GetValue(logFormat) == "text", TimeProvider.System);
            await app.RunAsync(cancellationToken);
            return 0;
        });
        return command;
    }

    /// <summary>The whole gateway: PostgreSQL listeners, grants, control API. Tests build it with a fake clock.</summary>
    public static WebApplication Build(LoadedConfiguration configuration, bool textLogs, TimeProvider time, Action<IServiceCollection>? configureServices = null)
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.Logging.ClearProviders();
        builder.Logging.SetMinimumLevel(LogLevel.Information);
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        if (textLogs)
        {
            builder.Logging.AddSimpleConsole(options => options.SingleLine = true);
        }
        else
        {
            builder.Logging.AddJsonConsole(options =>
            {
                options.UseUtcTimestamp = true;
                options.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
            });
        }

        LoadedControl control = configuration.Control;
        builder.WebHost.UseKestrelHttpsConfiguration();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(control.EndPoint, listen =>
            {
                if (control.Certificate is { } certificate)
                {
                    listen.UseHttps(certificate);
                }
            });
        });
        builder.Services.Configure<JsonOptions>(options => options.SerializerOptions.TypeInfoResolverChain.Insert(0, ControlJsonContext.Default));
        builder.Services.AddProblemDetails();
        builder.Services.AddSingleton(configuration);
        builder.Services.AddSingleton(time);
        builder.Services.AddSingleton<IControlStore>(_ => configuration.Store.Kind == "postgres"
            ? new PostgresControlStore(configuration.StoreConnectionString!)
            : new SqliteControlStore(configuration.Store.Path));
        LoadedAudit audit = configuration.Audit;
        builder.Services.AddSingleton(provider => new AuditTrail(
            audit, provider.GetRequiredService<IControlStore>(), time, provider.GetRequiredService<ILoggerFactory>()));
        if (audit.Recording)
        {
            // Unregistered when off: the authorizer and the hosted service take it as an optional parameter. Registered
            // as an instance so that the container leaves its disposal to the hosted service, after the closing records.
            builder.Services.AddSingleton(new RecordingStore(
                new RecordingStoreOptions
                {
                    Directory = audit.RecordingDirectory,
                    MaxBytesPerSession = audit.MaxRecordingBytes,
                    CompressionLevel = audit.RecordingCompressionLevel,
                    CompressLiterals = audit.RecordingCompressLiterals,
                }, time));
        }
        builder.Services.AddSingleton(provider =>
        {
            AuditTrail trail = provider.GetRequiredService<AuditTrail>();
            return new GrantEnforcer(
                provider.GetRequiredService<IControlStore>(), time, provider.GetRequiredService<ILogger<GrantEnforcer>>(), control.WatchInterval,
                expired => trail.RecordGrantWhenWritable(AuditEventTypes.GrantExpired, expired, "gateway", expired.EndReason));
        });
        builder.Services.AddSingleton<GrantService>();
        builder.Services.AddSingleton<AuditReview>();
        builder.Services.AddSingleton<Gateway.Host.Masking.MaskingCatalogCache>();
        builder.Services.AddSingleton<IdentityDirectory>();
        builder.Services.AddGatewayCore(configuration.Gateway).AddAuthorizer<GrantAuthorizer>();
        builder.Services.AddSingleton<Gateway.Core.Sessions.IPgSessionObserver>(provider => provider.GetRequiredService<GrantEnforcer>());
        builder.Services.AddSingleton<Gateway.Core.Sessions.IPgSessionObserver>(provider => provider.GetRequiredService<AuditTrail>());
        builder.Services.AddHostedService<GatewayHostedService>();
        builder.Services.Configure<HostOptions>(options => options.ShutdownTimeout = configuration.ShutdownTimeout + TimeSpan.FromSeconds(2));
        configureServices?.Invoke(builder.Services);

        WebApplication app = builder.Build();
        app.Use(ControlApi.HandleErrorsAsync);
        app.MapControlApi();
        return app;
    }
}
