using System.CommandLine;
using Gateway.Host.Commands;

var root = new RootCommand("GatewayCore: an access gateway between AI coding agents and PostgreSQL")
{
    ServeCommand.Create(),
    GrantCommand.Create(),
    AuditCommand.Create(),
    ReplayCommand.Create(),
    ApiKeyCommand.Create(),
    VerifierCommand.Create(),
};
return await root.Parse(args).InvokeAsync();
