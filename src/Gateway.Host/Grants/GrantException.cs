namespace Gateway.Host.Grants;

/// <summary>A refused control-plane operation, with words fit to show the caller.</summary>
internal sealed class GrantException : Exception
{
    public GrantException(GrantError error, string message)
        : base(message)
    {
        Error = error;
    }

    public GrantException()
    {
    }

    public GrantException(string message)
        : base(message)
    {
    }

    public GrantException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public GrantError Error { get; }
}
