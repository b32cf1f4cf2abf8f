namespace Gateway.Core.Protocol.Postgres;

/// <summary>The SQLSTATE codes the gateway itself raises.</summary>
internal static class SqlState
{
    public const string ProtocolViolation = "08P01";
    public const string ConnectionFailure = "08006";
    public const string ConnectionRejected = "08004";
    public const string InvalidAuthorizationSpecification = "28000";
    public const string InvalidPassword = "28P01";
    public const string FeatureNotSupported = "0A000";
    public const string TooManyConnections = "53300";
    public const string AdminShutdown = "57P01";
    public const string CannotConnectNow = "57P03";
    public const string QueryCanceled = "57014";
    public const string ProgramLimitExceeded = "54000";
    public const string IoError = "58030";
}
