namespace Gateway.Core.Masking;

/// <summary>An operator's own pattern (a .NET regular expression), run on every text value like the built-in detectors.</summary>
/// <param name="Name">The name statistics and replacements use.</param>
/// <param name="Pattern">The regular expression.</param>
public sealed record CustomDetector(string Name, string Pattern);
