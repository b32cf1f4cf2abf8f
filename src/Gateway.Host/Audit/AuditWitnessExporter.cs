using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace Gateway.Host.Audit;

/// <summary>
/// Sends each checkpoint out of the gateway's trust domain: appended to a witness file and/or POSTed to a URL. It runs
/// on its own loop so a slow or failing witness never blocks appends; what could not be sent is retried, in order, when
/// the next checkpoint comes.
/// </summary>
internal sealed partial class AuditWitnessExporter : IAsyncDisposable
{
    private static readonly TimeSpan DefaultHttpTimeout = TimeSpan.FromSeconds(10);

    /// <summary>How long shutdown waits for a slow witness before abandoning the send (the checkpoint stays in the local file).</summary>
    private static readonly TimeSpan ShutdownGrace = TimeSpan.FromSeconds(5);

    private readonly string? _file;
    private readonly Uri? _url;
    private readonly HttpClient? _http;
    private readonly bool _ownsHttp;
    private readonly Func<string, Stream> _openWrite;
    private readonly ILogger _logger;
    private readonly Channel<byte[]> _checkpoints = Channel.CreateUnbounded<byte[]>(new UnboundedChannelOptions { SingleReader = true });
    private readonly List<byte[]> _unsentToFile = [];
    private readonly List<byte[]> _unsentToUrl = [];
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _loop;

    public AuditWitnessExporter(AuditLogOptions options, string publicKeyPem, ILogger logger)
    {
        _file = options.WitnessFile;
        _url = options.WitnessUrl;
        _openWrite = options.OpenWrite;
        _logger = logger;
        if (_url is not null)
        {
            _ownsHttp = options.WitnessHttpClient is null;
            _http = options.WitnessHttpClient ?? new HttpClient { Timeout = DefaultHttpTimeout };
        }

        if (_file is not null)
        {
            ExportPublicKey(_file + ".pub.pem", publicKeyPem);
        }

        _loop = _file is null && _url is null ? Task.CompletedTask : Task.Run(RunAsync);
    }

    /// <summary>Called in a checkpoint's order once it is durable locally; never blocks.</summary>
    public void Enqueue(byte[] checkpointLine)
    {
        if (_file is not null || _url is not null)
        {
            _checkpoints.Writer.TryWrite(checkpointLine);
        }
    }

    /// <summary>Sends what is queued (one attempt each), then stops.</summary>
    public async ValueTask DisposeAsync()
    {
        _checkpoints.Writer.TryComplete();
        try
        {
            await _loop.WaitAsync(ShutdownGrace);
        }
        catch (TimeoutException)
        {
            await _stopping.CancelAsync();
            await _loop;
        }

        _stopping.Dispose();
        if (_ownsHttp)
        {
            _http!.Dispose();
        }
    }

    private async Task RunAsync()
    {
        while (await _checkpoints.Reader.WaitToReadAsync())
        {
            while (_checkpoints.Reader.TryRead(out byte[]? line))
            {
                if (_file is not null)
                {
                    _unsentToFile.Add(line);
                }

                if (_url is not null)
                {
                    _unsentToUrl.Add(line);
                }
            }

            SendToFile();
            await SendToUrlAsync();
        }
    }

    private void SendToFile()
    {
        if (_unsentToFile.Count == 0)
        {
            return;
        }

        try
        {
            using Stream file = _openWrite(_file!);
            foreach (byte[] line in _unsentToFile)
            {
                file.Write(line);
                file.Write("\n"u8);
            }

            AuditFiles.FlushDurably(file);
            _unsentToFile.Clear();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            LogWitnessFileFailed(_logger, _unsentToFile.Count, ex.GetType().Name, ex.Message);
        }
    }

    private async Task SendToUrlAsync()
    {
        while (_unsentToUrl.Count > 0)
        {
            try
            {
                using var content = new ByteArrayContent(_unsentToUrl[0]);
                content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
                using HttpResponseMessage response = await _http!.PostAsync(_url, content, _stopping.Token);
                response.EnsureSuccessStatusCode();
                _unsentToUrl.RemoveAt(0);
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                LogWitnessUrlFailed(_logger, _unsentToUrl.Count, ex.GetType().Name, ex.Message);
                return;
            }
        }
    }

    /// <summary>Puts the public key beside the witness file once, so the verifier can trust a copy the gateway no longer controls.</summary>
    private void ExportPublicKey(string path, string publicKeyPem)
    {
        try
        {
            if (!File.Exists(path))
            {
                using Stream file = _openWrite(path);
                file.Write(System.Text.Encoding.ASCII.GetBytes(publicKeyPem));
                AuditFiles.FlushDurably(file);
            }
            else if (File.ReadAllText(path) != publicKeyPem)
            {
                LogWitnessKeyDiffers(_logger, path);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            LogWitnessFileFailed(_logger, 0, ex.GetType().Name, ex.Message);
        }
    }

    [LoggerMessage(EventId = 13_010, Level = LogLevel.Warning, Message = "Audit witness file not written ({Error}: {Detail}); {Pending} checkpoints will be retried with the next one")]
    private static partial void LogWitnessFileFailed(ILogger logger, int pending, string error, string detail);

    [LoggerMessage(EventId = 13_011, Level = LogLevel.Warning, Message = "Audit witness URL not reached ({Error}: {Detail}); {Pending} checkpoints will be retried with the next one")]
    private static partial void LogWitnessUrlFailed(ILogger logger, int pending, string error, string detail);

    [LoggerMessage(EventId = 13_012, Level = LogLevel.Error, Message = "The public key beside the audit witness file {Path} is not this log's key; it was left as it is")]
    private static partial void LogWitnessKeyDiffers(ILogger logger, string path);
}
