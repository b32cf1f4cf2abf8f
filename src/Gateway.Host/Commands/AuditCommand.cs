using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Gateway.Host.Audit;
using Gateway.Host.Control;

namespace Gateway.Host.Commands;

/// <summary>
/// <c>gateway audit query|show|verify</c>: the reviewer's tools. <c>query</c> and <c>show</c> ask the control API
/// (reviewers and admins); <c>verify</c> runs here, on the files, so that its verdict does not depend on the gateway
/// process it judges.
/// </summary>
internal static class AuditCommand
{
    public static Command Create()
    {
        var audit = new Command("audit", "Answer who reached which database, when, approved by whom, what they did and what was masked");
        audit.Subcommands.Add(Query());
        audit.Subcommands.Add(Show());
        audit.Subcommands.Add(Verify());
        return audit;
    }

    private static Command Query()
    {
        var agent = new Option<string>("--agent") { Description = "Agent name" };
        var target = new Option<string>("--target") { Description = "Target name" };
        var grant = new Option<string>("--grant") { Description = "Grant id" };
        var day = new Option<DateOnly?>("--day") { Description = "A UTC day, e.g. 2026-12-01 (instead of --from/--to)" };
        var from = new Option<DateTimeOffset?>("--from") { Description = "Sessions started at or after (UTC unless an offset is given)" };
        var to = new Option<DateTimeOffset?>("--to") { Description = "Sessions started before" };
        var command = new Command("query", "One row per connection: identity, scope, window, start and end with the reason, approvers, task, statements, masking, recording")
        {
            agent, target, grant, day, from, to, ControlCall.Url, ControlCall.Key, ControlCall.Insecure, ControlCall.Json,
        };
        command.SetAction((parse, ct) =>
        {
            DateTimeOffset? start = parse.GetValue(from);
            DateTimeOffset? end = parse.GetValue(to);
            if (parse.GetValue(day) is { } date)
            {
                start = new DateTimeOffset(date.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
                end = start.Value.AddDays(1);
            }

            string query = string.Join('&', new[]
                {
                    ("agent", parse.GetValue(agent)), ("target", parse.GetValue(target)), ("grant", parse.GetValue(grant)),
                    ("from", start?.ToString("O", CultureInfo.InvariantCulture)), ("to", end?.ToString("O", CultureInfo.InvariantCulture)),
                }
                .Where(pair => pair.Item2 is not null).Select(pair => $"{pair.Item1}={Uri.EscapeDataString(pair.Item2!)}"));
            return ControlCall.RunAsync(parse, client => client.GetAsync("/v1/audit/sessions?" + query, ControlJsonContext.Default.ListAuditSessionView, ct), sessions =>
            {
                if (sessions.Count == 0)
                {
                    Console.WriteLine("no sessions match");
                }

                foreach (AuditSessionView session in sessions)
                {
                    PrintSession(session);
                }
            });
        });
        return command;
    }

    private static Command Show()
    {
        var id = new Argument<string>("id") { Description = "A grant id (g_…) or a session id (s_…)" };
        var command = new Command("show", "A grant with its decisions, sessions and audit records, or one session with its records")
        {
            id, ControlCall.Url, ControlCall.Key, ControlCall.Insecure, ControlCall.Json,
        };
        command.SetAction((parse, ct) =>
        {
            string value = parse.GetValue(id)!;
            string escaped = Uri.EscapeDataString(value);
            return value.StartsWith("s_", StringComparison.Ordinal)
                ? ControlCall.RunAsync(parse, client => client.GetAsync($"/v1/audit/sessions/{escaped}", ControlJsonContext.Default.AuditSessionDetailView, ct), detail =>
                {
                    PrintSession(detail.Session);
                    PrintRecords(detail.Records);
                })
                : ControlCall.RunAsync(parse, client => client.GetAsync($"/v1/audit/grants/{escaped}", ControlJsonContext.Default.AuditGrantView, ct), detail =>
                {
                    GrantView grant = detail.Grant;
                    Console.WriteLine($"grant {grant.Id} ({grant.Status}) for {grant.Agent} on {grant.Target}/{grant.Scope}; audit records: {detail.AuditStatus}");
                    Console.WriteLine($"  task     {grant.Task}{(grant.Justification is null ? string.Empty : "; why: " + grant.Justification)}");
                    foreach (DecisionView decision in grant.Decisions)
                    {
                        Console.WriteLine($"  decision {decision.Decision} by {decision.By} at {ControlCall.Time(decision.At)}{(decision.Reason is null ? string.Empty : ": " + decision.Reason)}");
                    }

                    Console.WriteLine($"  sessions {detail.Sessions.Count}");
                    foreach (AuditSessionView session in detail.Sessions)
                    {
                        PrintSession(session);
                    }

                    PrintRecords(detail.Records);
                });
        });
        return command;
    }

    private static Command Verify()
    {
        var config = new Option<FileInfo>("--config", "-c") { Description = "The gateway's configuration file (for the audit and recording directories and the witness)", Required = true };
        var json = new Option<bool>("--json") { Description = "Print the result as JSON" };
        var command = new Command("verify", "Check the chain, checkpoints, signatures and witness, and every recording; name the first bad record")
        {
            config, json,
        };
        command.SetAction(async (parse, ct) =>
        {
            if (await ConfigurationFile.LoadAsync(parse.GetValue(config)!) is not { } configuration)
            {
                return 2;
            }

            AuditVerifyView result = await Task.Run(() => AuditReview.VerifyFiles(configuration.Audit), ct);
            if (parse.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(result, ControlJsonContext.Default.AuditVerifyView));
            }
            else
            {
                PrintVerification(result);
            }

            return result.Ok ? 0 : 1;
        });
        return command;
    }

    private static void PrintVerification(AuditVerifyView result)
    {
        Console.WriteLine($"audit log: {result.Records} records, {result.Checkpoints} checkpoints: {(result.Errors.Count == 0 ? "verified" : "FAILED")}");
        foreach (string error in result.Errors)
        {
            Console.WriteLine("  error   " + error);
        }

        foreach (string warning in result.Warnings)
        {
            Console.WriteLine("  warning " + warning);
        }

        int verified = result.Recordings.Count(r => r.Status == "verified");
        Console.WriteLine($"recordings: {result.Recordings.Count}, {verified} verified");
        foreach (RecordingCheckView recording in result.Recordings.Where(r => r.Status != "verified"))
        {
            Console.WriteLine($"  {recording.Session} {recording.Path ?? "-"}: {recording.Status}");
        }
    }

    private static void PrintSession(AuditSessionView session)
    {
        string tables = session.Tables.Count > 0 ? ": " + string.Join(", ", session.Tables) : string.Empty;
        Console.WriteLine($"{session.Session}  {session.Agent}  {session.Target}/{session.Scope} ({session.Access}{tables})  {ControlCall.Time(session.StartedAt)} -> {ControlCall.Time(session.EndedAt)}  {session.EndReason}");
        Console.WriteLine($"  grant      {session.Grant}, window {ControlCall.Time(session.WindowFrom)} -> {ControlCall.Time(session.WindowTo)}, policy {session.Policy}");
        foreach (DecisionView decision in session.Decisions)
        {
            Console.WriteLine($"  approval   {decision.Decision} by {decision.By} at {ControlCall.Time(decision.At)}{(decision.Reason is null ? string.Empty : ": " + decision.Reason)}");
        }

        Console.WriteLine($"  task       {session.Task}{(session.Justification is null ? string.Empty : "; why: " + session.Justification)}");
        string masked = string.Join(", ", session.MaskedByRule.Concat(session.MaskedByDetector).Select(pair => $"{pair.Key} {pair.Value}"));
        Console.WriteLine($"  did        {session.Statements} statements, {session.RowsReturned} rows, {session.ValuesMasked} values masked{(masked.Length > 0 ? " (" + masked + ")" : string.Empty)}");
        if (session.EndDetail is not null)
        {
            Console.WriteLine($"  ended      {session.EndDetail}");
        }

        Console.WriteLine($"  client     {session.Client ?? "-"}{(session.Tls ? " over TLS" : string.Empty)}, database {session.Database}, application {session.ApplicationName ?? "-"}");
        Console.WriteLine($"  recording  {session.Recording ?? "-"}: {session.RecordingStatus}; audit records: {session.AuditStatus}");
    }

    private static void PrintRecords(IReadOnlyList<JsonElement> records)
    {
        Console.WriteLine("  audit records:");
        foreach (JsonElement record in records)
        {
            string seq = record.TryGetProperty("seq", out JsonElement s) ? s.ToString() : "?";
            string time = record.TryGetProperty("time", out JsonElement t) ? t.ToString() : "?";
            string type = record.TryGetProperty("type", out JsonElement y) ? y.ToString() : "?";
            string data = record.TryGetProperty("data", out JsonElement d) ? d.GetRawText() : "{}";
            Console.WriteLine($"    #{seq} {time} {type} {data}");
        }
    }
}
