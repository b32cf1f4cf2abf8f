using System.Collections.Frozen;
using Gateway.Host.Grants;

namespace Gateway.Host.Tests.Grants;

public sealed class GrantLifecycleTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 4, 10, 0, 0, TimeSpan.Zero);

    private static readonly AccessPolicy Auto = Policy("auto", group: null);
    private static readonly AccessPolicy OneReviewer = Policy("one", group: "dba");
    private static readonly AccessPolicy TwoReviewers = Policy("two", group: "dba", count: 2);

    [Fact]
    public void Approve_ByPolicy_ActiveFromApprovalForItsDuration()
    {
        Grant approved = GrantLifecycle.Approve(Requested(), Auto, "policy:auto", "approved by policy", Now);

        Assert.Equal(GrantStatus.Approved, approved.Status);
        Assert.Equal(Now, approved.ApprovedAt);
        Assert.Equal(Now.AddMinutes(30), approved.ExpiresAt);
        Assert.Equal("policy:auto", Assert.Single(approved.Decisions).By);
        Assert.Equal(2, approved.Version);
        Assert.True(approved.IsActiveAt(Now));
        Assert.True(approved.IsActiveAt(Now.AddMinutes(30).AddTicks(-1)));
        Assert.False(approved.IsActiveAt(Now.AddMinutes(30)));
        Assert.False(approved.IsActiveAt(Now.AddTicks(-1)));
    }

    [Fact]
    public void Approve_ByTheRequester_IsRefused()
    {
        GrantException refused = Assert.Throws<GrantException>(() => GrantLifecycle.Approve(Requested(), OneReviewer, "agent-1", null, Now));

        Assert.Equal(GrantError.Forbidden, refused.Error);
        Assert.Contains("own grant", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Approve_TwoReviewersNeeded_FirstApprovalLeavesItPending()
    {
        Grant once = GrantLifecycle.Approve(Requested(), TwoReviewers, "r1", "fine", Now);
        Assert.Equal(GrantStatus.Requested, once.Status);

        GrantException twice = Assert.Throws<GrantException>(() => GrantLifecycle.Approve(once, TwoReviewers, "r1", "again", Now));
        Assert.Equal(GrantError.Conflict, twice.Error);

        Grant approved = GrantLifecycle.Approve(once, TwoReviewers, "r2", "fine too", Now.AddMinutes(5));
        Assert.Equal(GrantStatus.Approved, approved.Status);
        Assert.Equal(Now.AddMinutes(5), approved.ApprovedAt);
        Assert.Equal(Now.AddMinutes(35), approved.ExpiresAt);
        Assert.Equal(["r1", "r2"], approved.Decisions.Select(d => d.By));
    }

    [Fact]
    public void Approve_WindowCrossingTheEndOfAllowedHours_IsCutAtTheEnd()
    {
        AccessPolicy office = Auto with { Hours = new AllowedHours(new TimeOnly(8, 0), new TimeOnly(10, 15), TimeZoneInfo.Utc) };

        Grant approved = GrantLifecycle.Approve(Requested(), office, "policy:auto", null, Now);

        Assert.Equal(Now.AddMinutes(15), approved.ExpiresAt);
    }

    [Fact]
    public void Approve_OutsideAllowedHours_IsRefused()
    {
        AccessPolicy night = Auto with { Hours = new AllowedHours(new TimeOnly(22, 0), new TimeOnly(6, 0), TimeZoneInfo.Utc) };

        Assert.Equal(GrantError.Forbidden, Assert.Throws<GrantException>(() => GrantLifecycle.Approve(Requested(), night, "policy:auto", null, Now)).Error);
    }

    [Theory]
    [InlineData("Approved")]
    [InlineData("Denied")]
    [InlineData("Expired")]
    [InlineData("Revoked")]
    public void ApproveAndDeny_NotPending_AreConflicts(string status)
    {
        Grant grant = Requested() with { Status = Enum.Parse<GrantStatus>(status) };

        Assert.Equal(GrantError.Conflict, Assert.Throws<GrantException>(() => GrantLifecycle.Approve(grant, OneReviewer, "r1", null, Now)).Error);
        Assert.Equal(GrantError.Conflict, Assert.Throws<GrantException>(() => GrantLifecycle.Deny(grant, "r1", "no", Now)).Error);
    }

    [Fact]
    public void Deny_Pending_RecordsWhoWhenWhy()
    {
        Grant denied = GrantLifecycle.Deny(Requested(), "r1", "no ticket", Now);

        Assert.Equal(GrantStatus.Denied, denied.Status);
        Assert.Equal(("r1", "no ticket", Now), (denied.EndedBy, denied.EndReason, denied.EndedAt));
        Assert.False(Assert.Single(denied.Decisions).Approved);
    }

    [Fact]
    public void Revoke_ActiveGrant_EndsItNow()
    {
        Grant active = GrantLifecycle.Approve(Requested(), Auto, "policy:auto", null, Now);

        Grant revoked = GrantLifecycle.Revoke(active, "r1", "done", Now.AddMinutes(3));

        Assert.Equal(GrantStatus.Revoked, revoked.Status);
        Assert.Equal(Now.AddMinutes(3), revoked.EndedAt);
        Assert.False(revoked.IsActiveAt(Now.AddMinutes(3)));
    }

    [Fact]
    public void Revoke_AfterItsWindow_IsConflict()
    {
        Grant active = GrantLifecycle.Approve(Requested(), Auto, "policy:auto", null, Now);

        Assert.Equal(GrantError.Conflict, Assert.Throws<GrantException>(() => GrantLifecycle.Revoke(active, "r1", "late", Now.AddHours(1))).Error);
    }

    [Fact]
    public void Expire_OnlyWhenDue_AndRecordsTheWindowEnd()
    {
        Grant active = GrantLifecycle.Approve(Requested(), Auto, "policy:auto", null, Now);

        Assert.Null(GrantLifecycle.Expire(active, Now.AddMinutes(30).AddTicks(-1)));
        Grant expired = GrantLifecycle.Expire(active, Now.AddMinutes(31))!;
        Assert.Equal(GrantStatus.Expired, expired.Status);
        Assert.Equal(Now.AddMinutes(30), expired.EndedAt);
        Assert.Null(GrantLifecycle.Expire(expired, Now.AddHours(2)));
    }

    [Fact]
    public void IssueCredential_Once_OnlyWhileActive()
    {
        Grant active = GrantLifecycle.Approve(Requested(), Auto, "policy:auto", null, Now);

        Grant issued = GrantLifecycle.IssueCredential(active, "SCRAM-SHA-256$...", Now.AddMinutes(1));
        Assert.Equal(Now.AddMinutes(1), issued.CredentialIssuedAt);
        Assert.Equal(GrantError.Conflict, Assert.Throws<GrantException>(() => GrantLifecycle.IssueCredential(issued, "again", Now.AddMinutes(2))).Error);
        Assert.Equal(GrantError.Conflict, Assert.Throws<GrantException>(() => GrantLifecycle.IssueCredential(active, "late", Now.AddHours(1))).Error);
        Assert.Equal(GrantError.Conflict, Assert.Throws<GrantException>(() => GrantLifecycle.IssueCredential(Requested(), "early", Now)).Error);
    }

    private static Grant Requested() => new()
    {
        Id = "g_test",
        Agent = "agent-1",
        Target = "shop",
        Scope = "read",
        Access = "read",
        Task = "t",
        Duration = TimeSpan.FromMinutes(30),
        Policy = "p",
        RequestedAt = Now.AddMinutes(-1),
        Version = 1,
    };

    private static AccessPolicy Policy(string name, string? group, int count = 1) => new()
    {
        Name = name,
        Agents = FrozenSet.Create(StringComparer.Ordinal, "*"),
        Targets = FrozenSet.Create(StringComparer.Ordinal, "shop"),
        Scopes = FrozenSet.Create(StringComparer.Ordinal, "read"),
        MaxDuration = TimeSpan.FromHours(1),
        ReviewerGroup = group,
        RequiredApprovals = count,
    };
}
