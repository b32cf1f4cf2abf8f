using System.Diagnostics;
using Gateway.Host.Audit;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gateway.Host.Tests.Audit;

/// <summary>
/// Figures for the record, run on demand (<c>-explicit only</c>): durable appends per second with group commit,
/// fsyncs per record, bytes per record, and verification speed. Nothing is asserted about speed.
/// </summary>
public sealed class AuditLogThroughputTests
{
    [Fact(Explicit = true)]
    public async Task AppendAsync_ManyProducers_ReportsDurableThroughputAndVerifySpeed()
    {
        const int Producers = 64;
        const int PerProducer = 1000;
        var flushes = 0;
        using var fixture = new AuditFixture();
        fixture.Options = fixture.Options with
        {
            OpenWrite = path => new FaultInjectingStream(AuditFiles.OpenWrite(path), new AuditFaults(), () => Interlocked.Increment(ref flushes)),
        };
        AuditLog log = await AuditLog.OpenAsync(fixture.Options, TimeProvider.System, NullLogger.Instance, CancellationToken.None);

        var sequential = Stopwatch.StartNew();
        for (int i = 0; i < 200; i++)
        {
            await log.AppendAsync(AuditFixture.Statement(i), CancellationToken.None);
        }

        sequential.Stop();
        int flushesBefore = flushes;
        var concurrent = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, Producers).Select(p => Task.Run(async () =>
        {
            for (int i = 0; i < PerProducer; i++)
            {
                await log.AppendAsync(AuditFixture.Statement((p * PerProducer) + i), CancellationToken.None);
            }
        })));
        concurrent.Stop();
        int concurrentFlushes = flushes - flushesBefore;
        await log.DisposeAsync();

        long bytes = fixture.Segments().Sum(s => new FileInfo(s).Length);
        TimeSpan cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var verifying = Stopwatch.StartNew();
        AuditVerification verification = fixture.Verify();
        verifying.Stop();
        TimeSpan verifyCpu = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;

        Assert.True(verification.IsValid);
        long records = verification.LastSeq;
        ITestOutputHelper? output = TestContext.Current.TestOutputHelper;
        output?.WriteLine($"one producer: {200 / sequential.Elapsed.TotalSeconds:F0} durable records/s (one fsync each)");
        output?.WriteLine($"{Producers} producers: {Producers * PerProducer / concurrent.Elapsed.TotalSeconds:F0} durable records/s, {concurrentFlushes} fsyncs for {Producers * PerProducer} records");
        output?.WriteLine($"{bytes / (double)records:F0} bytes per record ({records} records, {bytes} bytes)");
        output?.WriteLine($"verify: {records / verifying.Elapsed.TotalSeconds:F0} records/s ({verifying.Elapsed.TotalMilliseconds:F0} ms wall, {verifyCpu.TotalMilliseconds:F0} ms CPU: {records / verifyCpu.TotalSeconds:F0} records per CPU second)");
    }
}
