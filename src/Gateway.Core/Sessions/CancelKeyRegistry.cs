using System.Collections.Concurrent;
using System.Security.Cryptography;
using Gateway.Core.Protocol.Postgres;

namespace Gateway.Core.Sessions;

/// <summary>
/// Hands out the cancel keys clients see and maps them back to sessions. Keys are random, so one session's key says
/// nothing about another's, and the upstream's real key never leaves the gateway.
/// </summary>
internal sealed class CancelKeyRegistry
{
    private readonly ConcurrentDictionary<int, (int SecretKey, PgSession Session)> _sessions = new();

    public CancelKey Register(PgSession session)
    {
        Span<byte> random = stackalloc byte[8];
        while (true)
        {
            RandomNumberGenerator.Fill(random);
            int processId = BitConverter.ToInt32(random) & int.MaxValue;
            int secretKey = BitConverter.ToInt32(random.Slice(4));
            if (processId != 0 && _sessions.TryAdd(processId, (secretKey, session)))
            {
                return new CancelKey(processId, secretKey);
            }
        }
    }

    public void Unregister(CancelKey key) => _sessions.TryRemove(key.ProcessId, out _);

    public bool TryResolve(CancelKey key, out PgSession? session)
    {
        session = null;
        if (!_sessions.TryGetValue(key.ProcessId, out (int SecretKey, PgSession Session) entry))
        {
            return false;
        }

        Span<byte> expected = stackalloc byte[4];
        Span<byte> presented = stackalloc byte[4];
        BitConverter.TryWriteBytes(expected, entry.SecretKey);
        BitConverter.TryWriteBytes(presented, key.SecretKey);
        if (!CryptographicOperations.FixedTimeEquals(expected, presented))
        {
            return false;
        }

        session = entry.Session;
        return true;
    }
}
