using System.CommandLine;
using System.Globalization;
using Gateway.Host.Control;

namespace Gateway.Host.Commands;

/// <summary>
/// <c>gateway grant request|approve|deny|revoke|list|show|credential</c>: the control API from a shell, for people
/// and for agents. The key comes from <c>GATEWAY_API_KEY</c> (or <c>--key</c>), the address from
/// <c>GATEWAY_CONTROL_URL</c> (or <c>--url</c>).
/// </summary>
internal static class GrantCommand
{
    private static readonly Option<string> Url = new("--url") { Description = "Control API address (default: $GATEWAY_CONTROL_URL or http://127.0.0.1:6480)" };
    private static readonly Option<string> Key = new("--key") { Description = "API key (default: $GATEWAY_API_KEY); prefer the variable, command lines are visible to other users" };
    private static readonly Option<bool> Insecure = new("--insecure") { Description = "Accept any TLS certificate from the control API (testing only)" };
    private static readonly Option<bool> Json = new("--json") { Description = "Print the API's JSON" };

    public static Command Create()
    {
        var grant = new Command("grant", "Request, decide, revoke and inspect grants");
        grant.Subcommands.Add(Request());
        grant.Subcommands.Add(Decision("approve", "Approve a grant (reviewers of the policy's group)", reasonRequired: false));
        grant.Subcommands.Add(Decision("deny", "Deny a grant", reasonRequired: true));
        grant.Subcommands.Add(Decision("revoke", "Revoke a grant: its live sessions end at once", reasonRequired: true));
        grant.Subcommands.Add(List());
        grant.Subcommands.Add(Show());
        grant.Subcommands.Add(Credential());
        return grant;
    }

    private static Command Request()
    {
        var target = new Option<string>("--target") { Required = true, Description = "Target name" };
        var scope = new Option<string>("--scope") { Required = true, Description = "Scope, e.g. read or write" };
        var duration = new Option<string>("--duration") { Required = true, Description = "Window, e.g. 30m, 2h" };
        var task = new Option<string>("--task") { Required = true, Description = "What the access is for" };
        var justification = new Option<string>("--justification") { Description = "Why it is needed" };
        var wait = new Option<int>("--wait") { Description = "Seconds to wait for a decision", DefaultValueFactory = _ => 0 };
        var command = new Command("request", "Ask for access; with --wait, returns the connection credential once approved")
        {
            target, scope, duration, task, justification, wait, Url, Key, Insecure, Json,
        };
        command.SetAction((parse, ct) => RunAsync(parse, async client =>
        {
            var body = new GrantRequestBody(parse.GetValue(target)!, parse.GetValue(scope)!, parse.GetValue(duration)!, parse.GetValue(task)!,
                parse.GetValue(justification), parse.GetValue(wait), IssueCredential: true);
            return await client.PostAsync("/v1/grants", body, ControlJsonContext.Default.GrantRequestBody, ControlJsonContext.Default.GrantView, ct);
        }, PrintGrant));
        return command;
    }

    private static Command Decision(string verb, string description, bool reasonRequired)
    {
        var id = new Argument<string>("grant") { Description = "Grant id" };
        var reason = new Option<string>("--reason") { Required = reasonRequired, Description = "Why" };
        var command = new Command(verb, description) { id, reason, Url, Key, Insecure, Json };
        command.SetAction((parse, ct) => RunAsync(parse, client => client.PostAsync($"/v1/grants/{Uri.EscapeDataString(parse.GetValue(id)!)}/{verb}",
            new ReasonBody(parse.GetValue(reason)), ControlJsonContext.Default.ReasonBody, ControlJsonContext.Default.GrantView, ct), PrintGrant));
        return command;
    }

    private static Command List()
    {
        var agent = new Option<string>("--agent");
        var target = new Option<string>("--target");
        var status = new Option<string>("--status") { Description = "requested, active, denied, expired or revoked" };
        var command = new Command("list", "List grants (agents see their own)") { agent, target, status, Url, Key, Insecure, Json };
        command.SetAction((parse, ct) =>
        {
            string query = string.Join('&', new[] { ("agent", parse.GetValue(agent)), ("target", parse.GetValue(target)), ("status", parse.GetValue(status)) }
                .Where(pair => pair.Item2 is not null).Select(pair => $"{pair.Item1}={Uri.EscapeDataString(pair.Item2!)}"));
            return RunAsync(parse, client => client.GetAsync("/v1/grants?" + query, ControlJsonContext.Default.ListGrantView, ct), grants =>
            {
                Console.WriteLine($"{"ID",-16} {"AGENT",-16} {"TARGET",-12} {"SCOPE",-8} {"STATUS",-10} {"EXPIRES (UTC)",-20} TASK");
                foreach (GrantView grant in grants)
                {
                    Console.WriteLine($"{grant.Id,-16} {grant.Agent,-16} {grant.Target,-12} {grant.Scope,-8} {grant.Status,-10} {Time(grant.ExpiresAt),-20} {grant.Task}");
                }
            });
        });
        return command;
    }

    private static Command Show()
    {
        var id = new Argument<string>("grant") { Description = "Grant id" };
        var wait = new Option<int>("--wait") { Description = "Seconds to wait for a pending grant to be decided", DefaultValueFactory = _ => 0 };
        var command = new Command("show", "Show one grant") { id, wait, Url, Key, Insecure, Json };
        command.SetAction((parse, ct) => RunAsync(parse, client => client.GetAsync(
            $"/v1/grants/{Uri.EscapeDataString(parse.GetValue(id)!)}?wait={parse.GetValue(wait)}", ControlJsonContext.Default.GrantView, ct), PrintGrant));
        return command;
    }

    private static Command Credential()
    {
        var id = new Argument<string>("grant") { Description = "Grant id" };
        var command = new Command("credential", "Receive the connection credential of an approved grant (once, the requesting agent only)") { id, Url, Key, Insecure, Json };
        command.SetAction((parse, ct) => RunAsync(parse, client => client.PostAsync($"/v1/grants/{Uri.EscapeDataString(parse.GetValue(id)!)}/credential",
            new ReasonBody(null), ControlJsonContext.Default.ReasonBody, ControlJsonContext.Default.GrantView, ct), PrintGrant));
        return command;
    }

    private static async Task<int> RunAsync<T>(ParseResult parse, Func<ControlClient, Task<(T? Value, string Json)>> call, Action<T> print)
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
            (T? value, string json) = await call(client);
            if (parse.GetValue(Json))
            {
                Console.WriteLine(json);
            }
            else
            {
                print(value!);
            }

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

    private static void PrintGrant(GrantView grant)
    {
        Console.WriteLine($"grant      {grant.Id} ({grant.Status})");
        Console.WriteLine($"agent      {grant.Agent}");
        Console.WriteLine($"target     {grant.Target}, scope {grant.Scope} ({grant.Access}{(grant.Tables.Count > 0 ? ": " + string.Join(", ", grant.Tables) : string.Empty)})");
        Console.WriteLine($"task       {grant.Task}");
        if (grant.Justification is not null)
        {
            Console.WriteLine($"why        {grant.Justification}");
        }

        Console.WriteLine($"window     {grant.Duration} under policy {grant.Policy}; requested {Time(grant.RequestedAt)}, approved {Time(grant.ApprovedAt)}, expires {Time(grant.ExpiresAt)}");
        foreach (DecisionView decision in grant.Decisions)
        {
            Console.WriteLine($"decision   {decision.Decision} by {decision.By} at {Time(decision.At)}{(decision.Reason is null ? string.Empty : ": " + decision.Reason)}");
        }

        if (grant.EndedAt is not null)
        {
            Console.WriteLine($"ended      {Time(grant.EndedAt)} by {grant.EndedBy}: {grant.EndReason}");
        }

        if (grant.Credential is { } credential)
        {
            Console.WriteLine($"user       {credential.User}");
            Console.WriteLine($"password   {credential.Password}   (shown once; the gateway keeps only a verifier)");
            Console.WriteLine($"connect    {credential.ConnectionUri}");
        }
    }

    private static string Time(DateTimeOffset? time) => time?.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) ?? "-";
}
