using System.Security.Cryptography;
using System.Text.Json;

namespace Gateway.Host.Audit;

/// <summary>
/// Checks an audit log directory offline: every record's hash and link, the sequence, every checkpoint's signature,
/// chain, time and head, and the witness's checkpoints against the log. Reports the first bad record by file, line,
/// offset and seq, and the seq ranges that are proven authentic.
/// </summary>
internal sealed partial class AuditVerifier
{
    private const int MaxErrors = 1000;

    private readonly string _directory;
    private readonly List<AuditFinding> _recordErrors = [];
    private readonly List<AuditFinding> _checkpointErrors = [];
    private readonly List<AuditFinding> _warnings = [];
    private byte[] _logIdBytes = [];
    private string _logId = string.Empty;
    private ECDsa? _publicKey;
    private string _keyId = string.Empty;

    private AuditVerifier(string directory)
    {
        _directory = directory;
    }

    public static AuditVerification Verify(string directory, AuditVerifyOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var verifier = new AuditVerifier(directory);
        try
        {
            return verifier.Run(options);
        }
        finally
        {
            verifier._publicKey?.Dispose();
        }
    }

    private AuditVerification Run(AuditVerifyOptions options)
    {
        if (!LoadManifestAndKey(options))
        {
            return Report(new AuditChainScan(), [], 0, 0);
        }

        List<VerifiedCheckpoint> local = ReadCheckpoints(Path.Combine(_directory, AuditFiles.Checkpoints), isWitness: false);
        List<VerifiedCheckpoint> witnessed = [];
        if (options.WitnessFile is { } witnessFile)
        {
            if (File.Exists(witnessFile))
            {
                witnessed = ReadCheckpoints(witnessFile, isWitness: true);
            }
            else
            {
                Warn(AuditFindingKind.WitnessUnavailable, Path.GetFileName(witnessFile), 0, 0, null, "the witness file does not exist (a new log has none until its first checkpoint); truncation and re-signed rewrites cannot be detected without it");
            }
        }

        var wanted = new HashSet<long>(local.Concat(witnessed).Select(c => c.Checkpoint.Seq));
        AuditChainScan chain = ScanRecords(wanted);
        List<AuditSeqRange> verified = CompareCheckpoints(chain, local, witnessed);
        foreach (string quarantine in Directory.EnumerateFiles(_directory, AuditFiles.QuarantinePattern).Order(StringComparer.Ordinal))
        {
            Warn(AuditFindingKind.QuarantinePresent, Path.GetFileName(quarantine), 0, 0, null, "torn bytes set aside by a recovery; they are not part of the chain");
        }

        return Report(chain, verified, local.Count, witnessed.Count);
    }

    private AuditVerification Report(AuditChainScan chain, List<AuditSeqRange> verified, int checkpoints, int witnessed) => new()
    {
        Errors = [.. _recordErrors, .. _checkpointErrors],
        Warnings = _warnings,
        VerifiedRanges = verified,
        RecordCount = chain.RecordCount,
        LastSeq = chain.LastSeq,
        CheckpointCount = checkpoints,
        WitnessedCheckpointCount = witnessed,
    };

    /// <summary>Reads the log id and decides which public key to trust: the caller's, the witness's copy, or (with a warning) the log's own.</summary>
    private bool LoadManifestAndKey(AuditVerifyOptions options)
    {
        AuditManifest? manifest;
        try
        {
            manifest = JsonSerializer.Deserialize(File.ReadAllBytes(Path.Combine(_directory, AuditFiles.Manifest)), AuditJsonContext.Default.AuditManifest);
        }
        catch (Exception ex) when (ex is IOException or JsonException or UnauthorizedAccessException)
        {
            manifest = null;
        }

        if (manifest is null || manifest.Format != AuditManifest.CurrentFormat || !AuditRecordCodec.IsLowerHex(manifest.LogId, 32))
        {
            AddCheckpointError(AuditFindingKind.ManifestInvalid, AuditFiles.Manifest, 0, 0, null, $"{AuditFiles.Manifest} is missing or is not a {AuditManifest.CurrentFormat} manifest");
            return false;
        }

        _logId = manifest.LogId;
        _logIdBytes = Convert.FromHexString(manifest.LogId);
        string? witnessKeyPath = options.WitnessFile is null ? null : options.WitnessFile + ".pub.pem";
        string? trustedPem = options.ExpectedPublicKeyPem
            ?? (witnessKeyPath is not null && File.Exists(witnessKeyPath) ? File.ReadAllText(witnessKeyPath) : null);
        if (trustedPem is null)
        {
            trustedPem = manifest.PublicKey;
            Warn(AuditFindingKind.KeyFromLogDirectory, AuditFiles.Manifest, 0, 0, null, "no public key held outside the log was given; a key replaced together with the log would go unnoticed");
        }

        _publicKey = ECDsa.Create();
        try
        {
            _publicKey.ImportFromPem(trustedPem);
        }
        catch (Exception ex) when (ex is ArgumentException or CryptographicException)
        {
            AddCheckpointError(AuditFindingKind.KeyMismatch, AuditFiles.Manifest, 0, 0, null, "the expected public key is not a PEM public key");
            return false;
        }

        _keyId = AuditSigningKey.KeyIdOf(_publicKey);
        if (manifest.KeyId != _keyId)
        {
            AddCheckpointError(AuditFindingKind.KeyMismatch, AuditFiles.Manifest, 0, 0, null, $"{AuditFiles.Manifest} names key {manifest.KeyId}, but the trusted key is {_keyId}");
        }

        return true;
    }

    private void AddRecordError(AuditFindingKind kind, string file, long line, long offset, long? seq, string message)
    {
        if (_recordErrors.Count < MaxErrors)
        {
            _recordErrors.Add(new AuditFinding(kind, file, line, offset, seq, message));
        }
    }

    private void AddCheckpointError(AuditFindingKind kind, string file, long line, long offset, long? seq, string message)
    {
        if (_checkpointErrors.Count < MaxErrors)
        {
            _checkpointErrors.Add(new AuditFinding(kind, file, line, offset, seq, message));
        }
    }

    private void Warn(AuditFindingKind kind, string file, long line, long offset, long? seq, string message)
    {
        if (_warnings.Count < MaxErrors)
        {
            _warnings.Add(new AuditFinding(kind, file, line, offset, seq, message));
        }
    }
}
