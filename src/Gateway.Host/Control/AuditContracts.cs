using System.Text.Json;

namespace Gateway.Host.Control;

/// <summary>
/// One connection, answering the reviewer's questions: who (a distinct agent and its grant), what access (target,
/// scope, tables), when (the grant's window, the session's start and end, why it ended), approved by whom and why,
/// what it did (statements, rows, values masked by rule and detector) and whether its records can be trusted.
/// <c>AuditStatus</c> is <c>verified</c> when the session's and its grant's records are in the verified chain;
/// otherwise it says what is wrong, and the figures shown come from records that cannot be trusted.
/// <c>RecordingStatus</c> is <c>verified</c>, <c>truncated (…)</c>, <c>corrupt (…)</c>, <c>altered…</c>,
/// <c>missing</c>, <c>recording…</c> (still open) or <c>off</c>.
/// </summary>
internal sealed record AuditSessionView(
    string Session, string Agent, string Grant, string Target, string Scope, string Access, IReadOnlyList<string> Tables,
    string? Database, string? Client, bool Tls, string? ApplicationName,
    DateTimeOffset? WindowFrom, DateTimeOffset? WindowTo, DateTimeOffset StartedAt, DateTimeOffset? EndedAt, string EndReason, string? EndDetail,
    string Policy, IReadOnlyList<DecisionView> Decisions, string Task, string? Justification,
    long Statements, long RowsReturned, long ValuesMasked, IReadOnlyDictionary<string, long> MaskedByRule, IReadOnlyDictionary<string, long> MaskedByDetector,
    string? Recording, string RecordingStatus, string AuditStatus);

/// <summary>A session with its audit records, as the chain holds them.</summary>
internal sealed record AuditSessionDetailView(AuditSessionView Session, IReadOnlyList<JsonElement> Records);

/// <summary>A grant with its sessions and every audit record that names it.</summary>
internal sealed record AuditGrantView(GrantView Grant, IReadOnlyList<AuditSessionView> Sessions, IReadOnlyList<JsonElement> Records, string AuditStatus);

/// <summary>The result of checking the chain, its checkpoints and signatures, the witness, and every recording.</summary>
internal sealed record AuditVerifyView(
    bool Ok, long Records, long Checkpoints, IReadOnlyList<string> Errors, IReadOnlyList<string> Warnings, IReadOnlyList<RecordingCheckView> Recordings);

internal sealed record RecordingCheckView(string Session, string? Path, string Status);
