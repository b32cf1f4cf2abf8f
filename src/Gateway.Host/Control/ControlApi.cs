using Gateway.Host.Audit;
using Gateway.Host.Grants;
using Gateway.Host.Identities;
using Gateway.Host.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Gateway.Host.Control;

/// <summary>
/// The control plane over HTTP: JSON in and out, errors as RFC 9457 problem details, one bearer API key per
/// identity. Every endpoint authorizes its caller itself, through <see cref="GrantService"/>; there is no path to
/// an upstream credential.
/// </summary>
internal static class ControlApi
{
    private const string IdentityItem = "gateway.identity";
    private static readonly TimeSpan MaxWait = TimeSpan.FromSeconds(300);

    public static void MapControlApi(this IEndpointRouteBuilder app)
    {
        RouteGroupBuilder v1 = app.MapGroup("/v1").AddEndpointFilter(AuthenticateAsync);

        v1.MapGet("/whoami", (HttpContext http) => Results.Ok(IdentityView.From(Caller(http))));

        v1.MapPost("/grants", async (HttpContext http, GrantRequestBody body, GrantService grants, TimeProvider time, CancellationToken ct) =>
        {
            Identity caller = Caller(http);
            Grant grant = await grants.RequestAsync(caller, new GrantRequest(body.Target, body.Scope, body.Duration, body.Task, body.Justification), ct);
            if (body.Wait is > 0 && grant.Status == GrantStatus.Requested)
            {
                grant = await grants.WaitAsync(caller, grant.Id, Clamp(body.Wait.Value), ct);
            }

            GrantCredential? credential = body.IssueCredential != false && grant.IsActiveAt(time.GetUtcNow())
                ? await grants.IssueCredentialAsync(caller, grant.Id, ct)
                : null;
            return Results.Created($"/v1/grants/{grant.Id}", GrantView.From(grant, time.GetUtcNow(), credential));
        });

        v1.MapGet("/grants", async (HttpContext http, GrantService grants, TimeProvider time, string? agent, string? target, string? status,
            DateTimeOffset? from, DateTimeOffset? to, int? limit, CancellationToken ct) =>
        {
            var query = new GrantQuery(agent, target, ParseStatus(status), from, to, Math.Clamp(limit ?? 200, 1, 5000));
            IReadOnlyList<Grant> found = await grants.ListAsync(Caller(http), query, ct);
            DateTimeOffset now = time.GetUtcNow();
            return Results.Ok(found.Select(grant => GrantView.From(grant, now)).ToList());
        });

        v1.MapGet("/grants/{id}", async (HttpContext http, string id, int? wait, GrantService grants, TimeProvider time, CancellationToken ct) =>
        {
            Grant grant = wait is > 0
                ? await grants.WaitAsync(Caller(http), id, Clamp(wait.Value), ct)
                : await grants.GetAsync(Caller(http), id, ct);
            return Results.Ok(GrantView.From(grant, time.GetUtcNow()));
        });

        v1.MapPost("/grants/{id}/approve", async (HttpContext http, string id, ReasonBody? body, GrantService grants, TimeProvider time, CancellationToken ct)
            => Results.Ok(GrantView.From(await grants.ApproveAsync(Caller(http), id, body?.Reason, ct), time.GetUtcNow())));

        v1.MapPost("/grants/{id}/deny", async (HttpContext http, string id, ReasonBody? body, GrantService grants, TimeProvider time, CancellationToken ct)
            => Results.Ok(GrantView.From(await grants.DenyAsync(Caller(http), id, body?.Reason, ct), time.GetUtcNow())));

        v1.MapPost("/grants/{id}/revoke", async (HttpContext http, string id, ReasonBody? body, GrantService grants, TimeProvider time, CancellationToken ct)
            => Results.Ok(GrantView.From(await grants.RevokeAsync(Caller(http), id, body?.Reason, ct), time.GetUtcNow())));

        v1.MapPost("/grants/{id}/credential", async (HttpContext http, string id, GrantService grants, TimeProvider time, CancellationToken ct) =>
        {
            GrantCredential credential = await grants.IssueCredentialAsync(Caller(http), id, ct);
            Grant grant = await grants.GetAsync(Caller(http), id, ct);
            return Results.Ok(GrantView.From(grant, time.GetUtcNow(), credential));
        });

        v1.MapGet("/identities", async (HttpContext http, IdentityDirectory identities, CancellationToken ct) =>
        {
            RequireAdmin(Caller(http));
            return Results.Ok((await identities.ListAsync(ct)).Select(IdentityView.From).ToList());
        });

        v1.MapPost("/identities", async (HttpContext http, IdentityBody body, IdentityDirectory identities, CancellationToken ct) =>
        {
            IdentityKind kind = body.Kind switch
            {
                "agent" => IdentityKind.Agent,
                "reviewer" => IdentityKind.Reviewer,
                "admin" => IdentityKind.Admin,
                _ => throw new GrantException(GrantError.Invalid, "kind is agent, reviewer or admin"),
            };
            (Identity identity, string key) = await identities.CreateAsync(Caller(http), body.Name, kind, body.Groups ?? [], ct);
            return Results.Created($"/v1/identities/{identity.Name}", new CreatedIdentityView(IdentityView.From(identity), key));
        });

        MapAuditApi(v1);
    }

    private static void MapAuditApi(RouteGroupBuilder v1)
    {
        v1.MapGet("/audit/sessions", async (HttpContext http, AuditReview review, string? agent, string? target, string? grant,
            DateTimeOffset? from, DateTimeOffset? to, int? limit, CancellationToken ct) =>
        {
            RequireReviewer(Caller(http));
            var query = new AuditSessionQuery(agent, target, grant, from, to, Math.Clamp(limit ?? 1000, 1, 10_000));
            return Results.Ok(await review.QueryAsync(query, ct));
        });

        v1.MapGet("/audit/sessions/{id}", async (HttpContext http, string id, AuditReview review, CancellationToken ct) =>
        {
            RequireReviewer(Caller(http));
            return Results.Ok(await review.ShowSessionAsync(id, ct));
        });

        v1.MapGet("/audit/sessions/{id}/transcript", async (HttpContext http, string id, AuditReview review, CancellationToken ct) =>
        {
            RequireReviewer(Caller(http));
            return Results.Text(await review.TranscriptAsync(id, ct), "text/plain; charset=utf-8");
        });

        v1.MapGet("/audit/grants/{id}", async (HttpContext http, string id, AuditReview review, CancellationToken ct) =>
        {
            RequireReviewer(Caller(http));
            return Results.Ok(await review.ShowGrantAsync(id, ct));
        });

        v1.MapGet("/audit/verify", async (HttpContext http, AuditReview review, CancellationToken ct) =>
        {
            RequireReviewer(Caller(http));
            return Results.Ok(await review.VerifyAsync(ct));
        });
    }

    /// <summary>Turns refusals into problem details; anything else is a 500 without internal detail.</summary>
    public static async Task HandleErrorsAsync(HttpContext http, RequestDelegate next)
    {
        try
        {
            await next(http);
        }
        catch (GrantException refusal) when (!http.Response.HasStarted)
        {
            (int status, string title) = refusal.Error switch
            {
                GrantError.Invalid => (StatusCodes.Status400BadRequest, "Invalid request"),
                GrantError.Forbidden => (StatusCodes.Status403Forbidden, "Forbidden"),
                GrantError.NotFound => (StatusCodes.Status404NotFound, "Not found"),
                GrantError.Unavailable => (StatusCodes.Status503ServiceUnavailable, "Service unavailable"),
                _ => (StatusCodes.Status409Conflict, "Conflict"),
            };
            await Results.Problem(refusal.Message, statusCode: status, title: title).ExecuteAsync(http);
        }
        catch (BadHttpRequestException bad) when (!http.Response.HasStarted)
        {
            await Results.Problem("the request body or a parameter is not valid", statusCode: bad.StatusCode, title: "Invalid request").ExecuteAsync(http);
        }
    }

    private static async ValueTask<object?> AuthenticateAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        HttpContext http = context.HttpContext;
        string? header = http.Request.Headers.Authorization;
        string? key = header is not null && header.StartsWith("Bearer ", StringComparison.Ordinal) ? header["Bearer ".Length..].Trim() : null;
        IdentityDirectory identities = http.RequestServices.GetRequiredService<IdentityDirectory>();
        Identity? identity = ApiKey.LooksLikeKey(key) ? await identities.FindByKeyAsync(key!, http.RequestAborted) : null;
        if (identity is null)
        {
            http.Response.Headers.WWWAuthenticate = "Bearer";
            return Results.Problem("a valid API key is required: Authorization: Bearer gck_…", statusCode: StatusCodes.Status401Unauthorized, title: "Unauthorized");
        }

        http.Items[IdentityItem] = identity;
        return await next(context);
    }

    private static Identity Caller(HttpContext http) => (Identity)http.Items[IdentityItem]!;

    /// <summary>The audit trail is for the people who answer for access; agents do not read it.</summary>
    private static void RequireReviewer(Identity caller)
    {
        if (caller.Kind is not (IdentityKind.Reviewer or IdentityKind.Admin))
        {
            throw new GrantException(GrantError.Forbidden, "only reviewers and admins read the audit trail");
        }
    }

    private static void RequireAdmin(Identity caller)
    {
        if (caller.Kind != IdentityKind.Admin)
        {
            throw new GrantException(GrantError.Forbidden, "only admins manage identities");
        }
    }

    private static TimeSpan Clamp(int seconds) => TimeSpan.FromSeconds(seconds) > MaxWait ? MaxWait : TimeSpan.FromSeconds(seconds);

    private static GrantStatus? ParseStatus(string? status) => status switch
    {
        null or "" => null,
        "requested" => GrantStatus.Requested,
        "active" or "approved" => GrantStatus.Approved,
        "denied" => GrantStatus.Denied,
        "expired" => GrantStatus.Expired,
        "revoked" => GrantStatus.Revoked,
        _ => throw new GrantException(GrantError.Invalid, "status is requested, active, denied, expired or revoked"),
    };
}
