using System.CommandLine;
using System.Globalization;

namespace Gateway.Host.Commands;

/// <summary>
/// What every command that calls the control API shares: where it is, the caller's key, output as text or JSON, and
/// one way of reporting refusals and unreachable servers.
/// </summary>
internal static class ControlCall
{
    public static readonly Option<string> Url = new("--url") { Description = "Control API address (default: $GATEWAY_CONTROL_URL or http://127.0.0.1:6480)" };
    public static readonly Option<string> Key = new("--key") { Description = "API key (default: $GATEWAY_API_KEY); prefer the variable, command lines are visible to other users" };
    public static readonly Option<bool> Insecure = new("--insecure") { Description = "Accept any TLS certificate from the control API (testing only)" };
    public static readonly Option<bool> Json = new("--json") { Description = "Print the API's JSON" };

    /// <summary>Calls the API and prints its JSON (<c>--json</c>) or, through <paramref name="print"/>, text.</summary>
    public static Task<int> RunAsync<T>(ParseResult parse, Func<ControlClient, Task<(T? Value, string Json)>> call, Action<T> print)
        => CallAsync(parse, async client =>
        {
            (T? value, string json) = await call(client);
            if (parse.GetValue(Json))
            {
                Console.WriteLine(json);
            }
            else
            {
                print(value!);
            }
        });

    /// <summary>Prints a text resource of the control API.</summary>
    public static Task<int> RunTextAsync(ParseResult parse, string path, CancellationToken cancellationToken)
        => CallAsync(parse, async client => Console.Write(await client.GetTextAsync(path, cancellationToken)));

    /// <summary>The key and address from the options or the environment, and one way of reporting failures.</summary>
    private static async Task<int> CallAsync(ParseResult parse, Func<ControlClient, Task> call)
    {
        string? key = parse.GetValue(Key) ?? Environment.GetEnvironmentVariable("GATEWAY_API_KEY");
        string url = parse.GetValue(Url) ?? Environment.GetEnvironmentVariable("GATEWAY_CONTROL_URL") ?? "http://127.0.0.1:6480";
        if (string.IsNullOrEmpty(key))
        {
            await Console.Error.WriteLineAsync("gateway: no API key: set GATEWAY_API_KEY");
            return 2;
        }

        try
        {
            using var client = new ControlClient(new Uri(url), key, parse.GetValue(Insecure));
            await call(client);
            return 0;
        }
        catch (ControlClientException refused)
        {
            await Console.Error.WriteLineAsync($"gateway: {refused.Status}: {refused.Message}");
            return 1;
        }
        catch (HttpRequestException unreachable)
        {
            await Console.Error.WriteLineAsync($"gateway: cannot reach the control API at {url}: {unreachable.Message}");
            return 1;
        }
    }

    public static string Time(DateTimeOffset? time) => time?.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) ?? "-";
}
