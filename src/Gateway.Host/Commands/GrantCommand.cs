using System.CommandLine;
using Gateway.Host.Control;

namespace Gateway.Host.Commands;

/// <summary>
/// <c>gateway grant request|approve|deny|revoke|list|show|credential</c>: the control API from a shell, for people
/// and for agents. The key comes from <c>GATEWAY_API_KEY</c> (or <c>--key</c>), the address from
/// <c>GATEWAY_CONTROL_URL</c> (or <c>--url</c>).
/// </summary>
internal static class GrantCommand
{
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
            target, scope, duration, task, justification, wait, ControlCall.Url, ControlCall.Key, ControlCall.Insecure, ControlCall.Json,
        };
        command.SetAction((parse, ct) => ControlCall.RunAsync(parse, async client =>
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
        var command = new Command(verb, description) { id, reason, ControlCall.Url, ControlCall.Key, ControlCall.Insecure, ControlCall.Json };
        command.SetAction((parse, ct) => ControlCall.RunAsync(parse, client => client.PostAsync($"/v1/grants/{Uri.EscapeDataString(parse.GetValue(id)!)}/{verb}",
            new ReasonBody(parse.GetValue(reason)), ControlJsonContext.Default.ReasonBody, ControlJsonContext.Default.GrantView, ct), PrintGrant));
        return command;
    }

    private static Command List()
    {
        var agent = new Option<string>("--agent");
        var target = new Option<string>("--target");
        var status = new Option<string>("--status") { Description = "requested, active, denied, expired or revoked" };
        var command = new Command("list", "List grants (agents see their own)") { agent, target, status, ControlCall.Url, ControlCall.Key, ControlCall.Insecure, ControlCall.Json };
        command.SetAction((parse, ct) =>
        {
            string query = string.Join('&', new[] { ("agent", parse.GetValue(agent)), ("target", parse.GetValue(target)), ("status", parse.GetValue(status)) }
                .Where(pair => pair.Item2 is not null).Select(pair => $"{pair.Item1}={Uri.EscapeDataString(pair.Item2!)}"));
            return ControlCall.RunAsync(parse, client => client.GetAsync("/v1/grants?" + query, ControlJsonContext.Default.ListGrantView, ct), grants =>
            {
                Console.WriteLine($"{"ID",-16} {"AGENT",-16} {"TARGET",-12} {"SCOPE",-8} {"STATUS",-10} {"EXPIRES (UTC)",-20} TASK");
                foreach (GrantView grant in grants)
                {
                    Console.WriteLine($"{grant.Id,-16} {grant.Agent,-16} {grant.Target,-12} {grant.Scope,-8} {grant.Status,-10} {ControlCall.Time(grant.ExpiresAt),-20} {grant.Task}");
                }
            });
        });
        return command;
    }

    private static Command Show()
    {
        var id = new Argument<string>("grant") { Description = "Grant id" };
        var wait = new Option<int>("--wait") { Description = "Seconds to wait for a pending grant to be decided", DefaultValueFactory = _ => 0 };
        var command = new Command("show", "Show one grant") { id, wait, ControlCall.Url, ControlCall.Key, ControlCall.Insecure, ControlCall.Json };
        command.SetAction((parse, ct) => ControlCall.RunAsync(parse, client => client.GetAsync(
            $"/v1/grants/{Uri.EscapeDataString(parse.GetValue(id)!)}?wait={parse.GetValue(wait)}", ControlJsonContext.Default.GrantView, ct), PrintGrant));
        return command;
    }

    private static Command Credential()
    {
        var id = new Argument<string>("grant") { Description = "Grant id" };
        var command = new Command("credential", "Receive the connection credential of an approved grant (once, the requesting agent only)") { id, ControlCall.Url, ControlCall.Key, ControlCall.Insecure, ControlCall.Json };
        command.SetAction((parse, ct) => ControlCall.RunAsync(parse, client => client.PostAsync($"/v1/grants/{Uri.EscapeDataString(parse.GetValue(id)!)}/credential",
            new ReasonBody(null), ControlJsonContext.Default.ReasonBody, ControlJsonContext.Default.GrantView, ct), PrintGrant));
        return command;
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

        Console.WriteLine($"window     {grant.Duration} under policy {grant.Policy}; requested {ControlCall.Time(grant.RequestedAt)}, approved {ControlCall.Time(grant.ApprovedAt)}, expires {ControlCall.Time(grant.ExpiresAt)}");
        foreach (DecisionView decision in grant.Decisions)
        {
            Console.WriteLine($"decision   {decision.Decision} by {decision.By} at {ControlCall.Time(decision.At)}{(decision.Reason is null ? string.Empty : ": " + decision.Reason)}");
        }

        if (grant.EndedAt is not null)
        {
            Console.WriteLine($"ended      {ControlCall.Time(grant.EndedAt)} by {grant.EndedBy}: {grant.EndReason}");
        }

        if (grant.Credential is { } credential)
        {
            Console.WriteLine($"user       {credential.User}");
            Console.WriteLine($"password   {credential.Password}   (shown once; the gateway keeps only a verifier)");
            Console.WriteLine($"connect    {credential.ConnectionUri}");
        }
    }

}
