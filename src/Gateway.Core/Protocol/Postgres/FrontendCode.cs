namespace Gateway.Core.Protocol.Postgres;

/// <summary>Type bytes of the messages a PostgreSQL client sends after the startup packet (protocol 3.0).</summary>
public enum FrontendCode : byte
{
    /// <summary>Bind.</summary>
    Bind = (byte)'B',
    /// <summary>Close.</summary>
    Close = (byte)'C',
    /// <summary>CopyData.</summary>
    CopyData = (byte)'d',
    /// <summary>CopyDone.</summary>
    CopyDone = (byte)'c',
    /// <summary>CopyFail.</summary>
    CopyFail = (byte)'f',
    /// <summary>Describe.</summary>
    Describe = (byte)'D',
    /// <summary>Execute.</summary>
    Execute = (byte)'E',
    /// <summary>Flush.</summary>
    Flush = (byte)'H',
    /// <summary>FunctionCall.</summary>
    FunctionCall = (byte)'F',
    /// <summary>Parse.</summary>
    Parse = (byte)'P',
    /// <summary>PasswordMessage, SASLInitialResponse, SASLResponse and GSSResponse share this code.</summary>
    Password = (byte)'p',
    /// <summary>Query.</summary>
    Query = (byte)'Q',
    /// <summary>Sync.</summary>
    Sync = (byte)'S',
    /// <summary>Terminate.</summary>
    Terminate = (byte)'X',
}
