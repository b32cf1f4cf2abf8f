using System.CommandLine;
using Gateway.Host.Configuration;
using Gateway.Host.Hosting;
using Gateway.Host.Policy;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Gateway.Host.Commands;

/// <summary><c>gateway serve --config FILE</c>: runs the listeners until SIGTERM or Ctrl-C.</summary>
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
            LoadedConfiguration configuration;
            try
            {
                configuration = GatewayConfigurationLoader.Load(parse.GetValue(config)!.FullName);
            }
            catch (ConfigurationException exception)
            {
                await Console.Error.WriteLineAsync("gateway: " + exception.Message);
                return 2;
            }

            SocketEngine.Configure(configuration.Io);
            var builder = new HostApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
            builder.Logging.AddConfiguration(builder.Configuration);
            builder.Logging.SetMinimumLevel(LogLevel.Information);
            if (parse.GetValue(logFormat) == "text")
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

            builder.Services.AddSingleton(configuration);
            builder.Services.AddGatewayCore(configuration.Gateway).AddAuthorizer<StaticAgentAuthorizer>();
            builder.Services.AddHostedService<GatewayHostedService>();
            builder.Services.Configure<HostOptions>(options => options.ShutdownTimeout = configuration.ShutdownTimeout + TimeSpan.FromSeconds(2));
            using IHost host = builder.Build();
            await host.RunAsync(cancellationToken);
            return 0;
        });
        return command;
    }
}
