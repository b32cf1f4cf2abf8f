namespace Gateway.Core.Protocol.Postgres;

/// <summary>Which peer sent a message: the client (frontend) or the server (backend).</summary>
public enum PgSide : byte
{
    /// <summary>The client: an agent, psql, a driver.</summary>
    Frontend = 0,
    /// <summary>The PostgreSQL server.</summary>
    Backend = 1,
}
