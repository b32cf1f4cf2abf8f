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

    private TaskCompletionSource<bool>? _gate;
    private TaskCompletionSource _waiting = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>From now on the relay must wait for capacity, until <see cref="Release"/>.</summary>
    public void Block()
    {
        lock (_calls)
        {
            _gate = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiting = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
    }

    /// <summary>Completes once a pump waits on the blocked recorder.</summary>
    public Task Waiting
    {
        get
        {
            lock (_calls)
            {
                return _waiting.Task;
            }
        }
    }

    public void Release()
    {
        TaskCompletionSource<bool>? gate;
        lock (_calls)
        {
            gate = _gate;
            _gate = null;
        }

        gate?.TrySetResult(!_failed);
    }

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

    public ValueTask<bool> WaitForCapacityAsync(CancellationToken cancellationToken)
    {
        TaskCompletionSource<bool>? gate;
        lock (_calls)
        {
            gate = _gate;
            if (gate is not null)
            {
                _waiting.TrySetResult();
            }
        }

        return gate is null ? new(!_failed) : new(gate.Task.WaitAsync(cancellationToken));
    }

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
