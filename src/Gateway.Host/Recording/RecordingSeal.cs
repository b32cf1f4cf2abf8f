namespace Gateway.Host.Recording;

/// <summary>
/// What the session's closing audit record says about its recording: where it is, how many records, the chain head
/// (which commits to every record) and the SHA-256 of the whole file. <see cref="Failure"/> is set when the recording
/// could not be completed; the file then holds what was written before the failure.
/// </summary>
internal sealed record RecordingSeal(string Path, long Records, string ChainHead, string? FileSha256, long FileBytes, bool Truncated, string CloseReason, string? Failure)
{
    public bool Succeeded => Failure is null;
}
