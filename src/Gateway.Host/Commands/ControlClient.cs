using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Gateway.Host.Commands;

/// <summary>The CLI's side of the control API: bearer key in, JSON or problem details out.</summary>
internal sealed class ControlClient : IDisposable
{
    private readonly HttpClient _http;

    public ControlClient(Uri baseAddress, string apiKey, bool insecure)
    {
        var handler = new HttpClientHandler();
        if (insecure)
        {
            handler.ServerCertificateCustomValidationCallback = HttpClientHandler.DangerousAcceptAnyServerCertificateValidator;
        }

        _http = new HttpClient(handler) { BaseAddress = baseAddress, Timeout = TimeSpan.FromMinutes(6) };
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
    }

    public Task<(T? Value, string Json)> GetAsync<T>(string path, JsonTypeInfo<T> type, CancellationToken cancellationToken)
        => SendAsync(new HttpRequestMessage(HttpMethod.Get, path), type, cancellationToken);

    public Task<(T? Value, string Json)> PostAsync<TBody, T>(string path, TBody body, JsonTypeInfo<TBody> bodyType, JsonTypeInfo<T> type, CancellationToken cancellationToken)
        => SendAsync(new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body, bodyType) }, type, cancellationToken);

    /// <summary>A text resource (a transcript); refusals come back as problem details like the JSON calls.</summary>
    public async Task<string> GetTextAsync(string path, CancellationToken cancellationToken)
    {
        using HttpResponseMessage response = await _http.GetAsync(path, cancellationToken);
        string text = await response.Content.ReadAsStringAsync(cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new ControlClientException((int)response.StatusCode, ProblemDetail(text));
        }

        return text;
    }

    public void Dispose() => _http.Dispose();

    private static string ProblemDetail(string json)
    {
        try
        {
            using JsonDocument problem = JsonDocument.Parse(json);
            return problem.RootElement.TryGetProperty("detail", out JsonElement text) ? text.GetString() ?? json : json;
        }
        catch (JsonException)
        {
            return json;
        }
    }

    private async Task<(T? Value, string Json)> SendAsync<T>(HttpRequestMessage request, JsonTypeInfo<T> type, CancellationToken cancellationToken)
    {
        using (request)
        {
            using HttpResponseMessage response = await _http.SendAsync(request, cancellationToken);
            string json = await response.Content.ReadAsStringAsync(cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                throw new ControlClientException((int)response.StatusCode, ProblemDetail(json));
            }

            return (JsonSerializer.Deserialize(json, type), json);
        }
    }
}

/// <summary>The control API refused a call; the message is its problem detail.</summary>
internal sealed class ControlClientException : Exception
{
    public ControlClientException(int status, string message)
        : base(message)
    {
        Status = status;
    }

    public ControlClientException()
    {
    }

    public ControlClientException(string message)
        : base(message)
    {
    }

    public ControlClientException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public int Status { get; }
}
