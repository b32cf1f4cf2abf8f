namespace Gateway.Core.Protocol.Postgres;

/// <summary>Type bytes of the messages a PostgreSQL server sends (protocol 3.0).</summary>
public enum BackendCode : byte
{
    /// <summary>ParseComplete.</summary>
    ParseComplete = (byte)'1',
    /// <summary>BindComplete.</summary>
    BindComplete = (byte)'2',
    /// <summary>CloseComplete.</summary>
    CloseComplete = (byte)'3',
    /// <summary>NotificationResponse.</summary>
    NotificationResponse = (byte)'A',
    /// <summary>CopyDone.</summary>
    CopyDone = (byte)'c',
    /// <summary>CommandComplete.</summary>
    CommandComplete = (byte)'C',
    /// <summary>CopyData.</summary>
    CopyData = (byte)'d',
    /// <summary>DataRow.</summary>
    DataRow = (byte)'D',
    /// <summary>ErrorResponse.</summary>
    ErrorResponse = (byte)'E',
    /// <summary>CopyInResponse.</summary>
    CopyInResponse = (byte)'G',
    /// <summary>CopyOutResponse.</summary>
    CopyOutResponse = (byte)'H',
    /// <summary>EmptyQueryResponse.</summary>
    EmptyQueryResponse = (byte)'I',
    /// <summary>BackendKeyData.</summary>
    BackendKeyData = (byte)'K',
    /// <summary>NoData.</summary>
    NoData = (byte)'n',
    /// <summary>NoticeResponse.</summary>
    NoticeResponse = (byte)'N',
    /// <summary>The Authentication* family.</summary>
    Authentication = (byte)'R',
    /// <summary>PortalSuspended.</summary>
    PortalSuspended = (byte)'s',
    /// <summary>ParameterStatus.</summary>
    ParameterStatus = (byte)'S',
    /// <summary>ParameterDescription.</summary>
    ParameterDescription = (byte)'t',
    /// <summary>RowDescription.</summary>
    RowDescription = (byte)'T',
    /// <summary>NegotiateProtocolVersion.</summary>
    NegotiateProtocolVersion = (byte)'v',
    /// <summary>FunctionCallResponse.</summary>
    FunctionCallResponse = (byte)'V',
    /// <summary>CopyBothResponse.</summary>
    CopyBothResponse = (byte)'W',
    /// <summary>ReadyForQuery.</summary>
    ReadyForQuery = (byte)'Z',
}
