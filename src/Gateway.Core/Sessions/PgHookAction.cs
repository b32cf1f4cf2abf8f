namespace Gateway.Core.Sessions;

/// <summary>What a <see cref="IPgMessageHook"/> did with a message.</summary>
public enum PgHookAction
{
    /// <summary>Pass the message on unchanged.</summary>
    Forward = 0,
    /// <summary>Send what the hook wrote instead (nothing drops the message).</summary>
    Replace = 1,
}
