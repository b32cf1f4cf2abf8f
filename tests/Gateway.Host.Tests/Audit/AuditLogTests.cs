using System.Text.Json.Nodes;
using Gateway.Host.Audit;

namespace Gateway.Host.Tests.Audit;

/// <summary>Appending: group commit, order, rotation, restarts, checkpoints on the fake clock, the key file.</summary>
public sealed class AuditLogTests : IDisposable
{
    private readonly AuditFixture _fixture = new();

    public void Dispose() => _fixture.Dispose();

    [Fact]
    public async Task AppendAsync_200Concurrent_AllDurableInCallOrderWithFewFsyncs()
    {
        var flushes = new FlushCounter();
        var notified = new List<AuditRecord>();
        _fixture.Options = _fixture.Options with
        {
            OpenWrite = path => flushes.Wrap(AuditFiles.OpenWrite(path)),
            RecordsDurable = batch => notified.AddRange(batch),
        };
        await using AuditLog log = await _fixture.OpenAsync();
        int flushesBefore = flushes.Count;

        var pending = Enumerable.Range(0, 200).Select(i => log.AppendAsync(AuditFixture.Statement(i), CancellationToken.None).AsTask()).ToList();
        AuditRecord[] records = await Task.WhenAll(pending);

        Assert.Equal(Enumerable.Range(2, 200).Select(i => (long)i), records.Select(r => r.Seq));
        Assert.InRange(flushes.Count - flushesBefore, 1, 10);
        List<AuditRecord> onDisk = _fixture.ReadAllRecords();
        Assert.Equal(201, onDisk.Count);
        Assert.Equal(records.Select(r => r.Hash), onDisk.Skip(1).Select(r => r.Hash));
        Assert.Equal(onDisk.Select(r => r.Seq), notified.Select(r => r.Seq));
        Assert.Equal("SELECT * FROM orders WHERE id = 199", (string?)onDisk[^1].Data["sql"]);
    }

    [Fact]
    public async Task AppendAsync_ConcurrentMegabyteRecords_WrittenInBoundedBatchesAllInOrder()
    {
        var flushes = new FlushCounter();
        _fixture.Options = _fixture.Options with { OpenWrite = path => flushes.Wrap(AuditFiles.OpenWrite(path)) };
        await using AuditLog log = await _fixture.OpenAsync();
        int flushesBefore = flushes.Count;
        string megabyte = new('x', 1024 * 1024);

        AuditRecord[] records = await Task.WhenAll(Enumerable.Range(0, 12).Select(i =>
            log.AppendAsync(new AuditEvent("big", new JsonObject { ["i"] = i, ["v"] = megabyte }), CancellationToken.None).AsTask()));

        Assert.Equal(Enumerable.Range(2, 12).Select(i => (long)i), records.Select(r => r.Seq));
        Assert.True(flushes.Count - flushesBefore >= 3, $"{flushes.Count - flushesBefore} fsyncs for 12 MiB");
        Assert.Equal(Enumerable.Range(0, 12), _fixture.ReadAllRecords().Skip(1).Select(r => (int)r.Data["i"]!));
    }

    [Fact]
    public async Task OpenAsync_NewDirectory_CreatesOwnerOnlyKeyManifestAndStartRecord()
    {
        await using (AuditLog log = await _fixture.OpenAsync())
        {
            Assert.True(log.IsAvailable);
            Assert.Equal(32, log.LogId.Length);
            Assert.Contains("BEGIN PUBLIC KEY", log.PublicKeyPem, StringComparison.Ordinal);
        }

        string keyPath = Path.Combine(_fixture.LogDirectory, AuditFiles.SigningKey);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(keyPath));
        }

        List<AuditRecord> records = _fixture.ReadAllRecords();
        Assert.Equal([AuditEventTypes.GatewayStart, AuditEventTypes.GatewayStop], records.Select(r => r.Type));
        Assert.Equal(AuditRecordCodec.GenesisHash, records[0].Prev);
        Assert.Equal(records[0].Hash, records[1].Prev);
        Assert.Single(AuditFixture.ReadLines(_fixture.CheckpointsPath));
        Assert.Equal(File.ReadAllText(Path.Combine(_fixture.LogDirectory, AuditFiles.PublicKey)), File.ReadAllText(_fixture.WitnessFile + ".pub.pem"));
        AuditVerification verification = _fixture.Verify();
        Assert.True(verification.IsValid, string.Join('\n', verification.Errors));
        Assert.Empty(verification.Warnings);
        Assert.Equal([new AuditSeqRange(1, 2)], verification.VerifiedRanges);
    }

    [Fact]
    public async Task OpenAsync_AfterCleanStop_ContinuesTheChainWithoutUncleanRecord()
    {
        await _fixture.WriteLogAsync(checkpoints: 1, perCheckpoint: 5, tail: 5);
        await _fixture.WriteLogAsync(checkpoints: 1, perCheckpoint: 5, tail: 5);

        List<AuditRecord> records = _fixture.ReadAllRecords();
        Assert.Equal(Enumerable.Range(1, 24).Select(i => (long)i), records.Select(r => r.Seq));
        Assert.DoesNotContain(records, r => r.Type == AuditEventTypes.UncleanShutdown);
        Assert.Equal(2, records.Count(r => r.Type == AuditEventTypes.GatewayStart));
        AuditVerification verification = _fixture.Verify();
        Assert.True(verification.IsValid, string.Join('\n', verification.Errors));
        Assert.Equal(4, verification.CheckpointCount);
        Assert.Equal(4, verification.WitnessedCheckpointCount);
        Assert.True(verification.Covers(24));
    }

    [Fact]
    public async Task AppendAsync_PastSegmentLimit_RotatesAndTheChainSpansSegments()
    {
        using var fixture = new AuditFixture(segmentMaxBytes: 8 * 1024);
        await using (AuditLog log = await fixture.OpenAsync())
        {
            for (int i = 0; i < 200; i += 10)
            {
                await AuditFixture.AppendManyAsync(log, i, 10);
            }
        }

        string[] segments = fixture.Segments();
        Assert.True(segments.Length >= 4, $"{segments.Length} segments");
        Assert.All(segments[..^1], s => Assert.InRange(new FileInfo(s).Length, 1, 8 * 1024));
        AuditVerification verification = fixture.Verify();
        Assert.True(verification.IsValid, string.Join('\n', verification.Errors));
        Assert.Equal(202, verification.LastSeq);
    }

    [Fact]
    public async Task AppendAsync_DataJsonCannotCarry_FailsThatAppendOnly()
    {
        await using AuditLog log = await _fixture.OpenAsync();
        Task<AuditRecord> good1 = log.AppendAsync(AuditFixture.Statement(1), CancellationToken.None).AsTask();
        Task<AuditRecord> bad = log.AppendAsync(new AuditEvent("bad", new JsonObject { ["x"] = double.NaN }), CancellationToken.None).AsTask();
        Task<AuditRecord> good2 = log.AppendAsync(AuditFixture.Statement(2), CancellationToken.None).AsTask();

        await Assert.ThrowsAnyAsync<ArgumentException>(() => bad);
        Assert.Equal((await good1).Seq + 1, (await good2).Seq);
        Assert.True(log.IsAvailable);
    }

    [Fact]
    public async Task AppendAsync_AfterDispose_ThrowsAuditUnavailable()
    {
        AuditLog log = await _fixture.OpenAsync();
        await log.DisposeAsync();

        await Assert.ThrowsAsync<AuditUnavailableException>(() => log.AppendAsync(AuditFixture.Statement(1), CancellationToken.None).AsTask());
        Assert.False(log.IsAvailable);
    }

    [Fact]
    public async Task OpenAsync_DirectoryAlreadyOpen_ThrowsAndTheFirstLogCarriesOn()
    {
        await using AuditLog first = await _fixture.OpenAsync();

        await Assert.ThrowsAsync<IOException>(_fixture.OpenAsync);
        Assert.Equal(2, (await first.AppendAsync(AuditFixture.Statement(1), CancellationToken.None)).Seq);
    }

    [Fact]
    public async Task OpenAsync_WitnessFileInsideTheLogDirectory_Throws()
    {
        _fixture.Options = _fixture.Options with { WitnessFile = Path.Combine(_fixture.LogDirectory, "witness.log") };

        await Assert.ThrowsAsync<ArgumentException>(_fixture.OpenAsync);
    }

    [Fact]
    public async Task OpenAsync_SegmentsWithoutManifest_Throws()
    {
        await _fixture.WriteLogAsync(checkpoints: 0, perCheckpoint: 0, tail: 3);
        File.Delete(Path.Combine(_fixture.LogDirectory, AuditFiles.Manifest));

        await Assert.ThrowsAsync<InvalidDataException>(_fixture.OpenAsync);
    }

    [Fact]
    public async Task OpenAsync_LastRecordForged_RefusesToContinueTheChain()
    {
        await _fixture.WriteLogAsync(checkpoints: 0, perCheckpoint: 0, tail: 3);
        string segment = _fixture.Segment(1);
        List<string> lines = AuditFixture.ReadLines(segment);
        lines[^1] = lines[^1].Replace("gateway.stop", "gateway.stoq", StringComparison.Ordinal);
        AuditFixture.WriteLines(segment, lines);

        await Assert.ThrowsAsync<InvalidDataException>(_fixture.OpenAsync);
    }

    [Fact]
    public async Task Witness_UrlFailsOnce_CheckpointRetriedWithTheNextAndNothingBlocks()
    {
        var witness = new RecordingHandler(failFirst: 1);
        _fixture.Options = _fixture.Options with { WitnessUrl = new Uri("http://127.0.0.1:9/checkpoints"), WitnessHttpClient = new HttpClient(witness) };
        await using (AuditLog log = await _fixture.OpenAsync())
        {
            await _fixture.CheckpointAsync(log);
            await AuditFixture.AppendManyAsync(log, 0, 5);
            await _fixture.CheckpointAsync(log);
        }

        Assert.Equal(AuditFixture.ReadLines(_fixture.CheckpointsPath), witness.Delivered);
        Assert.Equal(1, witness.Failures);
    }

    [Fact]
    public async Task Witness_UrlHangs_AppendsAndCheckpointsCarryOn()
    {
        var witness = new HangingHandler();
        _fixture.Options = _fixture.Options with { WitnessUrl = new Uri("http://127.0.0.1:9/checkpoints"), WitnessHttpClient = new HttpClient(witness) };
        await using AuditLog log = await _fixture.OpenAsync();
        await _fixture.CheckpointAsync(log);
        await witness.Reached.Task;

        await AuditFixture.AppendManyAsync(log, 0, 10);
        await _fixture.CheckpointAsync(log);

        Assert.Equal(2, AuditFixture.ReadLines(_fixture.CheckpointsPath).Count);
        Assert.Equal(11, _fixture.ReadAllRecords().Count);
        witness.Release.SetResult();
    }

    /// <summary>Counts fsyncs (durable flushes) across every stream the log opens.</summary>
    private sealed class FlushCounter
    {
        private int _count;

        public int Count => _count;

        public FaultInjectingStream Wrap(Stream inner) => new FaultInjectingStream(inner, new AuditFaults(), () => Interlocked.Increment(ref _count));
    }

    private sealed class HangingHandler : HttpMessageHandler
    {
        public TaskCompletionSource Reached { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Reached.TrySetResult();
            await Release.Task.WaitAsync(cancellationToken);
            return new HttpResponseMessage(System.Net.HttpStatusCode.Accepted);
        }
    }

    private sealed class RecordingHandler(int failFirst) : HttpMessageHandler
    {
        private int _failuresLeft = failFirst;

        public List<string> Delivered { get; } = [];

        public int Failures { get; private set; }

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (_failuresLeft-- > 0)
            {
                Failures++;
                throw new HttpRequestException("witness down");
            }

            Assert.Equal("application/json", request.Content!.Headers.ContentType!.MediaType);
            Delivered.Add(await request.Content.ReadAsStringAsync(cancellationToken));
            return new HttpResponseMessage(System.Net.HttpStatusCode.Accepted);
        }
    }
}
