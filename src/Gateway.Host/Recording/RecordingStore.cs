using System.Collections.Concurrent;
using System.Globalization;
using Gateway.Core.Masking;
using Microsoft.Extensions.ObjectPool;
using ZstdSharp;
using ZstdSharp.Unsafe;

namespace Gateway.Host.Recording;

/// <summary>
/// Creates session recordings under a directory and writes them in the background: a fixed number of worker threads
/// shared by all sessions (never one per session) drain a recording when it has a frame's worth of bytes waiting,
/// when its relay waits for capacity, when it completes, and on every flush interval, so that every record is on
/// disk within about one interval. zstd compressors are pooled.
/// </summary>
internal sealed class RecordingStore : IAsyncDisposable
{
    private readonly RecordingStoreOptions _options;
    private readonly TimeProvider _time;
    private readonly BlockingCollection<SessionRecording> _queue = [];
    private readonly ConcurrentDictionary<SessionRecording, byte> _active = new();
    private readonly ObjectPool<Compressor> _compressors;
    private readonly Thread[] _workers;
    private readonly ITimer _timer;

    public RecordingStore(RecordingStoreOptions options, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _time = time ?? TimeProvider.System;
        _compressors = new DefaultObjectPool<Compressor>(new CompressorPolicy(options.CompressionLevel, options.CompressLiterals), options.Workers * 2);
        _workers = new Thread[options.Workers];
        for (int i = 0; i < _workers.Length; i++)
        {
            _workers[i] = new Thread(Work) { IsBackground = true, Name = "gateway-recording-" + i.ToString(CultureInfo.InvariantCulture) };
            _workers[i].Start();
        }

        // The interval timer runs on real time: it only bounds how long records wait in memory.
        _timer = TimeProvider.System.CreateTimer(static state => ((RecordingStore)state!).Tick(), this, options.FlushInterval, options.FlushInterval);
    }

    public RecordingStoreOptions Options => _options;

    /// <summary>Recordings not yet completed.</summary>
    public int ActiveCount => _active.Count;

    /// <summary>Where a session's recording goes: <c>&lt;dir&gt;/&lt;yyyy-MM-dd&gt;/&lt;sessionId&gt;.pgrec.zst</c>, dated by its start (UTC).</summary>
    public string PathFor(RecordingHeader header)
    {
        ArgumentNullException.ThrowIfNull(header);
        return Path.Combine(_options.Directory, header.StartedAt.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            header.SessionId + RecordingFormat.Extension);
    }

    /// <summary>
    /// Starts a session's recording: creates the file and writes the header frame before returning, so that a
    /// recording that cannot start (no space, no permission, a name already taken) refuses the session by throwing.
    /// </summary>
    /// <param name="header">The session's identity, the recording's first record.</param>
    /// <param name="redactor">Masks detector hits in client statements and parameters; null records them as sent.</param>
    /// <exception cref="IOException">The file could not be created or written.</exception>
    public SessionRecording Create(RecordingHeader header, ContentRedactor? redactor = null)
    {
        ArgumentNullException.ThrowIfNull(header);
        if (!RecordingHeader.IsValidSessionId(header.SessionId))
        {
            throw new ArgumentException("a session id may hold only letters, digits, '.', '_' and '-'", nameof(header));
        }

        string path = PathFor(header);
        Stream stream;
        if (_options.OpenStream is { } open)
        {
            stream = open(path);
        }
        else
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.Read, bufferSize: 0);
        }

        SessionRecording recording;
        try
        {
            recording = new SessionRecording(this, _options, _time, path, header, redactor, stream);
        }
        catch
        {
            stream.Dispose();
            throw;
        }

        _active[recording] = 0;
        return recording;
    }

    internal void Schedule(SessionRecording recording)
    {
        if (Interlocked.CompareExchange(ref recording.Scheduled, 1, 0) == 0)
        {
            try
            {
                _queue.Add(recording);
            }
            catch (InvalidOperationException)
            {
                // The store is shutting down: the recording is drained by DisposeAsync.
                Volatile.Write(ref recording.Scheduled, 0);
            }
        }
    }

    internal void Remove(SessionRecording recording) => _active.TryRemove(recording, out _);

    internal int Compress(ReadOnlySpan<byte> content, Span<byte> destination)
    {
        Compressor compressor = _compressors.Get();
        try
        {
            return compressor.Wrap(content, destination);
        }
        finally
        {
            _compressors.Return(compressor);
        }
    }

    private void Tick()
    {
        foreach (SessionRecording recording in _active.Keys)
        {
            if (recording.HasWork)
            {
                Schedule(recording);
            }
        }
    }

    private void Work()
    {
        foreach (SessionRecording recording in _queue.GetConsumingEnumerable())
        {
            Run(recording);
        }
    }

    private void Run(SessionRecording recording)
    {
        try
        {
            recording.Drain();
        }
        finally
        {
            Volatile.Write(ref recording.Scheduled, 0);
        }

        if (recording.NeedsPromptDrain)
        {
            Schedule(recording);
        }
    }

    /// <summary>Stops the workers after writing out what is pending; recordings not completed stay unsealed (read as truncated).</summary>
    public async ValueTask DisposeAsync()
    {
        await _timer.DisposeAsync().ConfigureAwait(false);
        _queue.CompleteAdding();
        foreach (Thread worker in _workers)
        {
            await Task.Run(() => worker.Join(TimeSpan.FromSeconds(10))).ConfigureAwait(false);
        }

        foreach (SessionRecording recording in _active.Keys)
        {
            if (Interlocked.CompareExchange(ref recording.Scheduled, 1, 0) == 0)
            {
                recording.Drain();
            }
        }

        _queue.Dispose();
    }

    /// <summary>A compressor as recordings use it: content checksum and size in every frame header.</summary>
    internal static Compressor CreateCompressor(int level, bool compressLiterals)
    {
        var compressor = new Compressor(level);
        compressor.SetParameter(ZSTD_cParameter.ZSTD_c_checksumFlag, 1);
        compressor.SetParameter(ZSTD_cParameter.ZSTD_c_contentSizeFlag, 1);
        if (compressLiterals && level < 0)
        {
            // ZSTD_c_literalCompressionMode (experimental parameter 5) = ZSTD_ps_enable.
            compressor.SetParameter(ZSTD_cParameter.ZSTD_c_experimentalParam5, 1);
        }

        return compressor;
    }

    private sealed class CompressorPolicy(int level, bool compressLiterals) : IPooledObjectPolicy<Compressor>
    {
        public Compressor Create() => CreateCompressor(level, compressLiterals);

        public bool Return(Compressor obj) => true;
    }
}
