namespace Gateway.Core.Protocol.Postgres;

/// <summary>The process id and secret key pair that BackendKeyData hands out and CancelRequest presents.</summary>
public readonly record struct CancelKey(int ProcessId, int SecretKey);
