using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Gateway.Benchmarks.Data;
using Gateway.Core.Transport;

namespace Gateway.Benchmarks.Sessions;

/// <summary>
/// A real session's relay loop, end to end in memory: <see cref="Gateway.Core.Sessions.PgGateway.RunSessionAsync"/>
/// after a SCRAM login, with the benchmark playing both peers. Each invocation pushes one batch through in 16 KiB
/// flushes and drains the far side after each; one operation is one relayed message. The baseline of each direction
/// copies the same bytes pipe to pipe with no protocol work.
/// </summary>
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class RelayBenchmarks
{
    private const string ServerToClient = "ServerToClient";
    private const string ClientToServer = "ClientToServer";
    private const int ResultMessages = 1003; // RowDescription + 1000 DataRows of 217 bytes + CommandComplete + ReadyForQuery
    private const int QueryMessages = 1000;
    private const string RoundTrip = "RoundTrip";
    private const int RoundTrips = 100;
    private const int RoundTripMessages = RoundTrips * 5; // Query; RowDescription, DataRow, CommandComplete, ReadyForQuery

    private RelayRig _relay = null!;
    private PipeCopyRig _copy = null!;
    private PipeCopyRig _copyBack = null!;

    [GlobalSetup]
    public void Setup()
    {
        if (WireData.WideResultMessages != ResultMessages || WireData.QueryMessages != QueryMessages || WireData.PointResultMessages + 1 != RoundTripMessages / RoundTrips)
        {
            throw new InvalidOperationException("the fixtures no longer match OperationsPerInvoke");
        }

        _relay = RelayRig.Start();
        _copy = new PipeCopyRig();
        _copyBack = new PipeCopyRig();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _copy.Stop();
        _copyBack.Stop();
        CloseReason reason = _relay.Stop();
        if (reason != CloseReason.ClientTerminate)
        {
            throw new InvalidOperationException($"the session ended with {reason}, not ClientTerminate");
        }
    }

    [BenchmarkCategory(ServerToClient)]
    [Benchmark(Baseline = true, OperationsPerInvoke = ResultMessages)]
    public long PipeCopy_ServerToClient() => InMemoryPipes.Push(_copy.Source, WireData.WideResult, _copy.Sink);

    [BenchmarkCategory(ServerToClient)]
    [Benchmark(OperationsPerInvoke = ResultMessages)]
    public long Relay_ServerToClient() => InMemoryPipes.Push(_relay.ServerOutput, WireData.WideResult, _relay.ClientInput);

    [BenchmarkCategory(ClientToServer)]
    [Benchmark(Baseline = true, OperationsPerInvoke = QueryMessages)]
    public long PipeCopy_ClientToServer() => InMemoryPipes.Push(_copy.Source, WireData.Queries, _copy.Sink);

    [BenchmarkCategory(ClientToServer)]
    [Benchmark(OperationsPerInvoke = QueryMessages)]
    public long Relay_ClientToServer() => InMemoryPipes.Push(_relay.ClientOutput, WireData.Queries, _relay.ServerInput);

    /// <summary>pgbench select-only, one statement at a time: a Query one way, a one-row result the other, one flush each.</summary>
    [BenchmarkCategory(RoundTrip)]
    [Benchmark(Baseline = true, OperationsPerInvoke = RoundTripMessages)]
    public long PipeCopy_RoundTrip()
    {
        long bytes = 0;
        for (int i = 0; i < RoundTrips; i++)
        {
            bytes += InMemoryPipes.Push(_copy.Source, WireData.PointQuery, _copy.Sink);
            bytes += InMemoryPipes.Push(_copyBack.Source, WireData.PointResult, _copyBack.Sink);
        }

        return bytes;
    }

    [BenchmarkCategory(RoundTrip)]
    [Benchmark(OperationsPerInvoke = RoundTripMessages)]
    public long Relay_RoundTrip()
    {
        long bytes = 0;
        for (int i = 0; i < RoundTrips; i++)
        {
            bytes += InMemoryPipes.Push(_relay.ClientOutput, WireData.PointQuery, _relay.ServerInput);
            bytes += InMemoryPipes.Push(_relay.ServerOutput, WireData.PointResult, _relay.ClientInput);
        }

        return bytes;
    }
}
