using System.Text;
using System.Text.Json;
using Gateway.Core.Masking;
using Gateway.Core.Protocol.Postgres;
using Gateway.Host.Recording;
using Gateway.Testing;

namespace Gateway.Host.Tests.Recording;

public sealed class SessionRecordingTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public async Task Record_RandomChunkings_ReadBackAsTheSameMessages(int seed)
    {
        await using var kit = new RecordingTestKit();
        var (client, server) = RecordingTestKit.Conversation(seed, 60);
        SessionRecording recording = kit.Create();
        RecordingTestKit.Feed(recording, RecordingTestKit.Wire(client), RecordingTestKit.Wire(server), new Random(seed));
        RecordingSeal seal = await recording.CompleteAsync("ClientTerminate", 1, 2, 3);

        Assert.True(seal.Succeeded, seal.Failure);
        RecordingVerification verdict = RecordingReader.Verify(seal.Path);
        Assert.Equal(RecordingStatus.Sealed, verdict.Status);
        Assert.True(verdict.Frames > 3, "small frames expected");
        Assert.Equal(seal.ChainHead, verdict.ChainHead);
        Assert.Equal(seal.Records + 1, verdict.Records - verdict.Frames);
        Assert.Equal(seal.FileSha256, Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(seal.Path))));

        List<RecordingRecord> records = [.. RecordingReader.ReadRecords(seal.Path)];
        Assert.Equal(Hex(client), Hex(Messages(records, PgSide.Frontend)));
        Assert.Equal(Hex(server), Hex(Messages(records, PgSide.Backend)));
        Assert.Equal("agent-1", verdict.Header!.Agent);
        using JsonDocument sealJson = JsonDocument.Parse(verdict.SealJson!);
        Assert.Equal("ClientTerminate", sealJson.RootElement.GetProperty("closeReason").GetString());
        Assert.Equal(server.Count(m => m.Code == 'D'), sealJson.RootElement.GetProperty("messages").GetProperty("B D").GetInt64());
    }

    [Fact]
    public async Task Verify_BitFlipAnywhere_NeverSealedAndLocatedAtOrBeforeTheFlip()
    {
        await using var kit = new RecordingTestKit();
        byte[] file = await SampleAsync(kit, 7);
        var random = new Random(11);
        int corrupt = 0;
        int samples = 0;
        for (int offset = 0; offset < file.Length; offset += 1 + random.Next(Math.Max(1, file.Length / 300)))
        {
            byte[] damaged = (byte[])file.Clone();
            damaged[offset] ^= (byte)(1 << random.Next(8));
            RecordingVerification verdict = RecordingReader.Verify(damaged);
            samples++;
            Assert.True(verdict.Status != RecordingStatus.Sealed, $"flip at {offset} of {file.Length} (bit {damaged[offset] ^ file[offset]}) reads as sealed");
            Assert.True(verdict.BadOffset <= offset, $"flip at {offset} reported at {verdict.BadOffset}");
            corrupt += verdict.Status == RecordingStatus.Corrupt ? 1 : 0;
        }

        // A flip that makes a frame claim more bytes than the file holds looks like a cut-short last frame; that is
        // reported as truncated (never as sealed) and only for the last frame.
        Assert.True(corrupt >= samples * 9 / 10, $"{corrupt} of {samples} flips reported corrupt");
    }

    [Fact]
    public async Task Verify_FileCutAnywhere_TruncatedAndReadableUpToTheLastWholeFrame()
    {
        await using var kit = new RecordingTestKit();
        byte[] file = await SampleAsync(kit, 8);
        RecordingVerification whole = RecordingReader.Verify(file);
        List<RecordingRecord> all = [.. RecordingReader.ReadRecords(file)];
        for (int cut = 0; cut < file.Length; cut += 1 + (cut % 53))
        {
            byte[] part = file.AsSpan(0, cut).ToArray();
            RecordingVerification verdict = RecordingReader.Verify(part);
            Assert.Equal(RecordingStatus.Truncated, verdict.Status);
            Assert.True(verdict.ValidBytes <= cut);
            List<RecordingRecord> read = [.. RecordingReader.ReadRecords(part)];
            Assert.Equal(verdict.Records, read.Count);
            Assert.True(read.Count < all.Count);
            Assert.All(read, r => Assert.Equal(all[(int)r.Index].Body.ToArray(), r.Body.ToArray()));
        }

        Assert.Equal(RecordingStatus.Sealed, whole.Status);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(100)]
    [InlineData(5000)]
    public async Task Verify_GarbageAppended_Corrupt(int length)
    {
        await using var kit = new RecordingTestKit();
        byte[] file = await SampleAsync(kit, 9);
        var garbage = new byte[length];
        new Random(length).NextBytes(garbage);
        RecordingVerification verdict = RecordingReader.Verify([.. file, .. garbage]);
        Assert.Equal(RecordingStatus.Corrupt, verdict.Status);
        Assert.Equal(file.Length, verdict.BadOffset);
    }

    [Fact]
    public async Task Verify_RandomGarbageFiles_NeverThrowsNorSealed()
    {
        var random = new Random(5);
        for (int i = 0; i < 200; i++)
        {
            var garbage = new byte[random.Next(0, 2000)];
            random.NextBytes(garbage);
            if (i % 2 == 0 && garbage.Length >= 4)
            {
                RecordingFormat.ZstdMagic.CopyTo(garbage);
            }

            Assert.NotEqual(RecordingStatus.Sealed, RecordingReader.Verify(garbage).Status);
        }

        await Task.CompletedTask;
    }

    [Fact]
    public async Task Record_PastTheSizeLimit_TruncatedRecordThenOnlyCounts()
    {
        await using var kit = new RecordingTestKit(o => o with { MaxBytesPerSession = 20_000 });
        var (client, server) = RecordingTestKit.Conversation(3, 60);
        SessionRecording recording = kit.Create();
        RecordingTestKit.Feed(recording, RecordingTestKit.Wire(client), RecordingTestKit.Wire(server), new Random(3));
        RecordingSeal seal = await recording.CompleteAsync("ClientTerminate");

        Assert.True(seal.Truncated);
        (List<RecordingRecord> records, RecordingVerification verdict) = RecordingReader.Read(seal.Path);
        Assert.Equal(RecordingStatus.Sealed, verdict.Status);
        int truncatedAt = records.FindIndex(r => r.Kind == RecordingFormat.Truncated);
        Assert.True(truncatedAt > 0);
        Assert.DoesNotContain(records.Skip(truncatedAt), r => r.Kind == RecordingFormat.Message);
        Assert.True(records.Where(r => r.Kind == RecordingFormat.Message).Sum(r => r.Payload.Length + 5) <= 20_000);
        using JsonDocument sealJson = JsonDocument.Parse(verdict.SealJson!);
        Assert.True(sealJson.RootElement.GetProperty("truncated").GetBoolean());
        Assert.Equal(server.Count(m => m.Code == 'D'), sealJson.RootElement.GetProperty("messages").GetProperty("B D").GetInt64());
    }

    [Fact]
    public async Task WaitForCapacity_DiskFull_ReturnsFalseAndSealReportsFailure()
    {
        var streams = new List<FailingStream>();
        await using var kit = new RecordingTestKit(o => o with
        {
            FrameBytes = 4096,
            MaxPendingBytesPerSession = 4096,
            OpenStream = _ => { var s = new FailingStream(allowWrites: 1); lock (streams) { streams.Add(s); } return s; },
        });
        SessionRecording recording = kit.Create();
        var (client, server) = RecordingTestKit.Conversation(4, 40);
        RecordingTestKit.Feed(recording, RecordingTestKit.Wire(client), RecordingTestKit.Wire(server), new Random(4));

        Assert.False(await recording.WaitForCapacityAsync(TestContext.Current.CancellationToken));
        Assert.True(recording.IsFailed);
        Assert.False(await recording.WaitForCapacityAsync(TestContext.Current.CancellationToken));
        RecordingSeal seal = await recording.CompleteAsync("RecordingFailed");
        Assert.False(seal.Succeeded);
        Assert.Contains("IOException", seal.Failure);
        Assert.Null(seal.FileSha256);

        // What reached the "disk" before the failure still reads, as an unsealed recording.
        RecordingVerification verdict = RecordingReader.Verify(streams[0].Written);
        Assert.Equal(RecordingStatus.Truncated, verdict.Status);
        Assert.Equal(1, verdict.Frames);
    }

    [Fact]
    public async Task Record_QueryAndBindWithAnEmail_DetectorsMaskIt()
    {
        await using var kit = new RecordingTestKit();
        SessionRecording recording = kit.Create(new ContentRedactor(ContentDetectors.All, []));
        byte[] wire = Pg.Build()
            .Query("SELECT * FROM users WHERE email = 'alice@example.com'")
            .Parse("s1", "SELECT * FROM users WHERE email = 'bob@example.org' OR email = $1", 25)
            .Bind("", "s1", [1], [Encoding.UTF8.GetBytes("carol@example.net"), null], [0])
            .Execute("")
            .Sync()
            .ToArray();
        recording.Record(PgSide.Frontend, wire);
        recording.Record(PgSide.Backend, Pg.Build().ErrorResponse("ERROR", "42P01", "no users here for alice@example.com").ToArray());
        RecordingSeal seal = await recording.CompleteAsync("ClientTerminate");

        List<RecordingRecord> records = [.. RecordingReader.ReadRecords(seal.Path)];
        List<RecordingRecord> client = [.. records.Where(r => r.Kind == RecordingFormat.Message && r.Side == PgSide.Frontend)];
        string query = Encoding.UTF8.GetString(client[0].Payload.Span);
        Assert.Equal("SELECT * FROM users WHERE email = '[email]'\0", query);
        Assert.Equal(RecordingFormat.FlagRedacted, client[0].Flags);
        Assert.Contains("'[email]' OR", Encoding.UTF8.GetString(client[1].Payload.Span));
        Assert.Equal(Pg.Build().Bind("", "s1", [1], [Encoding.UTF8.GetBytes("[email]"), null], [0]).ToArray()[5..], client[2].Payload.ToArray());
        Assert.Equal(0, client[3].Flags);

        string everything = string.Concat(records.Where(r => r.Side == PgSide.Frontend).Select(r => Encoding.UTF8.GetString(r.Body.Span)));
        Assert.DoesNotContain("@example.", everything);

        // Server messages are recorded as the client received them (masking them is the relay's job).
        Assert.Contains("alice@example.com", Encoding.UTF8.GetString(records.Single(r => r.MessageType == 'E' && r.Side == PgSide.Backend).Payload.Span));
    }

    [Fact]
    public async Task Record_JunkFromTheServer_MalformedRecordThenRawBytes()
    {
        await using var kit = new RecordingTestKit();
        SessionRecording recording = kit.Create();
        recording.Record(PgSide.Backend, Pg.Build().CommandComplete("SELECT 1").ToArray());
        recording.Record(PgSide.Backend, [0x00, 0xFF, 0xFF, 0xFF, 0xFF, 1, 2, 3]);
        recording.Record(PgSide.Backend, Pg.Build().ReadyForQuery().ToArray());
        recording.Record(PgSide.Frontend, Pg.Build().Query("SELECT 1").ToArray());
        RecordingSeal seal = await recording.CompleteAsync("ServerProtocolViolation");

        (List<RecordingRecord> records, RecordingVerification verdict) = RecordingReader.Read(seal.Path);
        Assert.Equal(RecordingStatus.Sealed, verdict.Status);
        Assert.Equal(
            ["H", "M B C", "X B", "R B", "R B", "R B", "M F Q", "S"],
            records.Where(r => r.Kind != RecordingFormat.ChainHead).Select(Describe).ToArray());
        string transcript = Transcript.Render(seal.Path);
        Assert.Contains("< malformed: invalid length -1 for message type 0x00", transcript);
    }

    [Fact]
    public async Task Transcript_ShowsStatementsRowsAndTheEnd()
    {
        await using var kit = new RecordingTestKit();
        SessionRecording recording = kit.Create();
        recording.Record(PgSide.Frontend, Pg.Build().Query("SELECT id, name FROM t").ToArray());
        recording.Record(PgSide.Backend, Pg.Build()
            .RowDescription(("id", 0, 0, 23, 4, -1, 1), ("name", 0, 0, 25, -1, -1, 0), ("blob", 0, 0, 17, -1, -1, 1))
            .DataRow([0, 0, 0, 42], "alice"u8.ToArray(), [0xDE, 0xAD])
            .DataRow([0, 0, 0, 43], null, null)
            .CommandComplete("SELECT 2")
            .ReadyForQuery()
            .ToArray());
        recording.Record(PgSide.Frontend, Pg.Build().Parse("", "SELECT $1", 25).Bind("", "", [0], ["x'y"u8.ToArray()], [0]).Execute("").Sync().ToArray());
        recording.Record(PgSide.Backend, Pg.Build().ErrorResponse("FATAL", "57P01", "terminating connection because access to target \"shop\" expired").ToArray());
        RecordingSeal seal = await recording.CompleteAsync("GrantExpired");

        string transcript = Transcript.Render(seal.Path);
        Assert.Contains("-- session s", transcript);
        Assert.Contains("> Query: SELECT id, name FROM t", transcript);
        Assert.Contains("< columns: id | name | blob", transcript);
        Assert.Contains("<   42 | alice | \\xdead", transcript);
        Assert.Contains("<   43 | NULL | NULL", transcript);
        Assert.Contains("< SELECT 2", transcript);
        Assert.Contains("> Parse \"\": SELECT $1", transcript);
        Assert.Contains("> Bind portal \"\" statement \"\" $1='x''y'", transcript);
        Assert.Contains("< FATAL 57P01: terminating connection", transcript);
        Assert.EndsWith("-- end: sealed, GrantExpired" + Environment.NewLine, transcript);
    }

    [Fact]
    public async Task Transcript_UnsealedRecording_SaysTheGatewayCrashed()
    {
        await using var kit = new RecordingTestKit();
        SessionRecording recording = kit.Create();
        recording.Record(PgSide.Frontend, Pg.Build().Query("SELECT 1").ToArray());
        byte[] sealedFile = File.ReadAllBytes((await recording.CompleteAsync("ClientTerminate")).Path);
        RecordingVerification verdict = RecordingReader.Verify(sealedFile);
        string cut = Path.Combine(kit.Directory, "cut.pgrec.zst");
        File.WriteAllBytes(cut, sealedFile.AsSpan(0, (int)(sealedFile.Length - 3)).ToArray());
        Assert.Equal(RecordingStatus.Sealed, verdict.Status);
        Assert.Contains("-- truncated: gateway crashed", Transcript.Render(cut));
    }

    [Fact]
    public async Task SealAbandoned_CrashMidFrame_ClosesAsGatewayCrashedKeepingTheTail()
    {
        await using var kit = new RecordingTestKit();
        byte[] file = await SampleAsync(kit, 12);
        RecordingVerification whole = RecordingReader.Verify(file);
        var random = new Random(12);
        for (int i = 0; i < 20; i++)
        {
            int cut = random.Next(1, file.Length);
            string path = Path.Combine(kit.Directory, $"crash{i}{RecordingFormat.Extension}");
            File.WriteAllBytes(path, file.AsSpan(0, cut).ToArray());
            RecordingVerification before = RecordingReader.Verify(path);
            RecordingSeal? seal = RecordingRecovery.SealAbandoned(path);
            if (before.Frames == 0)
            {
                Assert.Null(seal);
                continue;
            }

            Assert.NotNull(seal);
            (List<RecordingRecord> records, RecordingVerification after) = RecordingReader.Read(path);
            Assert.Equal(RecordingStatus.Sealed, after.Status);
            Assert.Contains("\"closeReason\":\"gateway crashed\"", after.SealJson, StringComparison.Ordinal);
            Assert.Equal(before.Records + 2, records.Count);
            Assert.Equal(seal.ChainHead, after.ChainHead);
            Assert.Equal(cut > before.ValidBytes, File.Exists(path + ".partial"));
            Assert.Contains("-- end: sealed, gateway crashed", Transcript.Render(path));
            Assert.Null(RecordingRecovery.SealAbandoned(path));
        }

        Assert.Equal(RecordingStatus.Sealed, whole.Status);
    }

    [Fact]
    public async Task SealAllAbandoned_LeavesSealedAndCorruptFilesAlone()
    {
        await using var kit = new RecordingTestKit();
        byte[] file = await SampleAsync(kit, 13);
        string dir = Path.Combine(kit.Directory, "recover");
        Directory.CreateDirectory(dir);
        File.WriteAllBytes(Path.Combine(dir, "sealed.pgrec.zst"), file);
        File.WriteAllBytes(Path.Combine(dir, "crashed.pgrec.zst"), file.AsSpan(0, file.Length - 50).ToArray());
        File.WriteAllBytes(Path.Combine(dir, "corrupt.pgrec.zst"), [.. file, 1, 2, 3]);

        var results = RecordingRecovery.SealAllAbandoned(dir).ToDictionary(r => Path.GetFileName(r.Path));

        Assert.Null(results["sealed.pgrec.zst"].Seal);
        Assert.NotNull(results["crashed.pgrec.zst"].Seal);
        Assert.Null(results["corrupt.pgrec.zst"].Seal);
        Assert.Equal(RecordingStatus.Corrupt, RecordingReader.Verify(Path.Combine(dir, "corrupt.pgrec.zst")).Status);
        Assert.Equal(file, File.ReadAllBytes(Path.Combine(dir, "sealed.pgrec.zst")));
    }

    private static string Describe(RecordingRecord record) => record.Kind switch
    {
        RecordingFormat.Message => $"M {(record.Side == PgSide.Frontend ? 'F' : 'B')} {(char)record.MessageType}",
        RecordingFormat.Raw or RecordingFormat.Malformed => $"{(char)record.Kind} {(record.Side == PgSide.Frontend ? 'F' : 'B')}",
        _ => ((char)record.Kind).ToString(),
    };

    private static string[] Hex(List<(byte Code, byte[] Payload)> messages)
        => [.. messages.Select(m => (char)m.Code + ":" + Convert.ToHexString(m.Payload))];

    private static List<(byte Code, byte[] Payload)> Messages(List<RecordingRecord> records, PgSide side)
        => [.. records.Where(r => r.Kind == RecordingFormat.Message && r.Side == side).Select(r => (r.MessageType, r.Payload.ToArray()))];

    private static async Task<byte[]> SampleAsync(RecordingTestKit kit, int seed)
    {
        var (client, server) = RecordingTestKit.Conversation(seed, 25);
        SessionRecording recording = kit.Create();
        RecordingTestKit.Feed(recording, RecordingTestKit.Wire(client), RecordingTestKit.Wire(server), new Random(seed));
        RecordingSeal seal = await recording.CompleteAsync("ClientTerminate");
        byte[] file = File.ReadAllBytes(seal.Path);
        Assert.True(RecordingReader.Verify(file).Frames >= 4);
        return file;
    }

    /// <summary>A write sink that accepts a number of writes and then fails like a full disk.</summary>
    private sealed class FailingStream(int allowWrites) : Stream
    {
        private readonly MemoryStream _written = new();

        public byte[] Written => _written.ToArray();

        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => _written.Length;
        public override long Position { get => _written.Length; set => throw new NotSupportedException(); }

        public override void Write(byte[] buffer, int offset, int count)
        {
            if (allowWrites-- > 0)
            {
                _written.Write(buffer, offset, count);
                return;
            }

            // Part of the frame reaches the disk before the device fills up.
            _written.Write(buffer, offset, count / 2);
            throw new IOException("No space left on device");
        }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
