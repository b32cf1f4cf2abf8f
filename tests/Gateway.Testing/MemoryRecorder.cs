using Gateway.Core.Protocol.Postgres;
using Gateway.Core.Sessions;

namespace Gateway.Testing;

/// <summary>
/// A session recorder that keeps each direction's bytes in memory, for asserting what the relay hands a recorder.
/// <see cref="Fail"/> makes it report failure from then on, as a full disk would.
/// </summary>
public sealed class MemoryRecorder : IPgSessionRecorder
{
    private readonly MemoryStream _client = new();
    private readonly MemoryStream _server = new();
    private readonly List<(PgSide Side, int Length)> _calls = [];
    private volatile bool _failed;

    /// <summary>Fails once this many client bytes have been recorded (null: never).</summary>
    public long? FailAfterClientBytes { get; set; }

    public byte[] ClientBytes
    {
        get
        {
            lock (_calls)
            {
                return _client.ToArray();
            }
        }
    }

    public byte[] ServerBytes
    {
        get
        {
            lock (_calls)
            {
                return _server.ToArray();
            }
        }
    }

    public int Calls
    {
        get
        {
            lock (_calls)
            {
                return _calls.Count;
            }
        }
    }

    public void Fail() => _failed = true;

    public void Record(PgSide side, ReadOnlySpan<byte> bytes)
    {
        lock (_calls)
        {
            _calls.Add((side, bytes.Length));
            (side == PgSide.Frontend ? _client : _server).Write(bytes);
            if (FailAfterClientBytes is { } limit && _client.Length >= limit)
            {
                _failed = true;
            }
        }
    }

    public ValueTask<bool> WaitForCapacityAsync(CancellationToken cancellationToken) => new(!_failed);

    /// <summary>Splits a byte stream into PG messages (type, payload).</summary>
    public static List<(char Code, byte[] Payload)> Frame(byte[] bytes)
    {
        var messages = new List<(char, byte[])>();
        int position = 0;
        while (bytes.Length - position >= 5)
        {
            int length = System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(position + 1));
            if (length < 4 || bytes.Length - position - 1 < length)
            {
                throw new InvalidDataException($"not a whole message at offset {position}");
            }

            messages.Add(((char)bytes[position], bytes.AsSpan(position + 5, length - 4).ToArray()));
            position += 1 + length;
        }

        if (position != bytes.Length)
        {
            throw new InvalidDataException($"{bytes.Length - position} bytes left over");
        }

        return messages;
    }
}
