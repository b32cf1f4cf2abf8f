namespace Gateway.Core.Masking;

/// <summary>
/// A detector an operator defines: a .NET regular expression matched against the text of a value (as UTF-16).
/// It is compiled once, culture-invariant and with a match timeout; a value on which it times out is masked whole.
/// </summary>
/// <param name="Name">The name reported for its matches (in audit records, for instance).</param>
/// <param name="Pattern">The .NET regular expression.</param>
public sealed record CustomDetector(string Name, string Pattern);
