namespace Gateway.Core.Protocol.Postgres;

/// <summary>
/// A peer broke the PostgreSQL wire protocol. The message names message codes, offsets and lengths only,
/// never payload bytes, so it is safe to log and to audit.
/// </summary>
public sealed class PgProtocolException : Exception
{
    /// <summary>Creates the exception.</summary>
    public PgProtocolException(string message, bool messageTooLarge)
        : base(message)
    {
        MessageTooLarge = messageTooLarge;
    }

    /// <summary>Creates the exception.</summary>
    public PgProtocolException(string message)
        : this(message, messageTooLarge: false)
    {
    }

    /// <summary>Creates the exception.</summary>
    public PgProtocolException()
        : this("protocol violation")
    {
    }

    /// <summary>Creates the exception.</summary>
    public PgProtocolException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>True when the violation is a declared length above the configured maximum.</summary>
    public bool MessageTooLarge { get; }
}
