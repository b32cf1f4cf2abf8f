namespace Gateway.Host.Audit;

/// <summary>The record types the log writes on its own; everything else comes from callers.</summary>
internal static class AuditEventTypes
{
    public const string GatewayStart = "gateway.start";
    public const string GatewayStop = "gateway.stop";
    public const string UncleanShutdown = "gateway.unclean-shutdown";
    public const string Recovered = "audit.recovered";
}
