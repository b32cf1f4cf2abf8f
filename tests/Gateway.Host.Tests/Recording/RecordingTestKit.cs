using System.Text;
using Gateway.Core.Masking;
using Gateway.Core.Protocol.Postgres;
using Gateway.Host.Recording;
using Gateway.Testing;

namespace Gateway.Host.Tests.Recording;

/// <summary>A store over a fresh temporary directory, and synthetic sessions to record.</summary>
internal sealed class RecordingTestKit : IAsyncDisposable
{
    private static int _sessions;

    public RecordingTestKit(Func<RecordingStoreOptions, RecordingStoreOptions>? configure = null)
    {
        Directory = Path.Combine(Path.GetTempPath(), "pgrec-tests-" + Guid.NewGuid().ToString("N"));
        var options = new RecordingStoreOptions { Directory = Directory, FrameBytes = 4096, MaxPendingBytesPerSession = 1 << 20, Workers = 1 };
        Store = new RecordingStore(configure?.Invoke(options) ?? options);
    }

    public string Directory { get; }

    public RecordingStore Store { get; }

    public SessionRecording Create(ContentRedactor? redactor = null)
        => Store.Create(new RecordingHeader("s" + Interlocked.Increment(ref _sessions), "g_test", "agent-1", "shop", "read", "shop",
            new DateTimeOffset(2026, 12, 5, 10, 0, 0, TimeSpan.Zero)), redactor);

    /// <summary>A deterministic session: statements from the client, results from the server.</summary>
    public static (List<(byte Code, byte[] Payload)> Client, List<(byte Code, byte[] Payload)> Server) Conversation(int seed, int statements)
    {
        var random = new Random(seed);
        var client = new List<(byte, byte[])>();
        var server = new List<(byte, byte[])>();
        for (int i = 0; i < statements; i++)
        {
            if (random.Next(2) == 0)
            {
                Add(client, Pg.Build().Query($"SELECT id, name FROM t WHERE id < {random.Next(1000)}"));
            }
            else
            {
                Add(client, Pg.Build().Parse("", "SELECT $1::text", 25).Bind("", "", [0], [Encoding.UTF8.GetBytes("v" + random.Next())], [0])
                    .Execute("").Sync());
            }

            Add(server, Pg.Build().RowDescription(("id", 0, 0, 23, 4, -1, 0), ("name", 0, 0, 25, -1, -1, 0)));
            int rows = random.Next(0, 40);
            for (int r = 0; r < rows; r++)
            {
                Add(server, Pg.Build().DataRow(Encoding.ASCII.GetBytes(r.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                    random.Next(5) == 0 ? null : Encoding.UTF8.GetBytes(new string('x', random.Next(0, 300)))));
            }

            Add(server, Pg.Build().CommandComplete($"SELECT {rows}").ReadyForQuery());
        }

        return (client, server);
    }

    public static byte[] Wire(List<(byte Code, byte[] Payload)> messages)
    {
        var pg = Pg.Build();
        foreach ((byte code, byte[] payload) in messages)
        {
            pg.Message((char)code, b => b.Bytes(payload));
        }

        return pg.ToArray();
    }

    /// <summary>Feeds both directions in random chunks, interleaved at random.</summary>
    public static void Feed(SessionRecording recording, byte[] client, byte[] server, Random random)
    {
        int c = 0, s = 0;
        while (c < client.Length || s < server.Length)
        {
            bool fromClient = s == server.Length || (c < client.Length && random.Next(2) == 0);
            byte[] source = fromClient ? client : server;
            ref int position = ref fromClient ? ref c : ref s;
            int length = Math.Min(source.Length - position, random.Next(3) switch { 0 => 1, 1 => random.Next(1, 16), _ => random.Next(1, 9000) });
            recording.Record(fromClient ? PgSide.Frontend : PgSide.Backend, source.AsSpan(position, length));
            position += length;
        }
    }

    private static void Add(List<(byte, byte[])> list, Pg pg)
    {
        byte[] bytes = pg.ToArray();
        int position = 0;
        while (position < bytes.Length)
        {
            int length = System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(position + 1));
            list.Add((bytes[position], bytes.AsSpan(position + 5, length - 4).ToArray()));
            position += length + 1;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Store.DisposeAsync();
        if (Environment.GetEnvironmentVariable("GATEWAY_TEST_KEEP_RECORDINGS") == "1")
        {
            return;
        }

        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
