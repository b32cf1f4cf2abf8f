using System.Collections.Frozen;
using System.Net;
using Gateway.Core.Configuration;
using Gateway.Host.Grants;
using Gateway.Host.Identities;
using Gateway.Host.Masking;

namespace Gateway.Host.Configuration;

/// <summary>The configuration after validation, with secrets resolved and certificates loaded.</summary>
internal sealed record LoadedConfiguration(
    IReadOnlyList<(IPEndPoint EndPoint, PgListenerOptions Options)> Listeners,
    PgGatewayOptions Gateway,
    TimeSpan ShutdownTimeout,
    IoConfiguration Io,
    LoadedControl Control,
    StoreConfiguration Store,
    string? StoreConnectionString,
    FrozenDictionary<string, FrozenDictionary<string, TargetScope>> Targets,
    IReadOnlyList<Identity> Identities,
    IReadOnlyList<AccessPolicy> Policies,
    FrozenDictionary<string, TargetMasking> Masking,
    LoadedAudit Audit);

/// <summary>The audit log and recordings, with directories made absolute.</summary>
internal sealed record LoadedAudit(
    string Directory, TimeSpan CheckpointInterval, string? WitnessFile, Uri? WitnessUrl, bool Recording, string RecordingDirectory, long MaxRecordingBytes,
    int RecordingCompressionLevel = Gateway.Host.Recording.RecordingStoreOptions.DefaultCompressionLevel, bool RecordingCompressLiterals = true);

/// <summary>The control plane's listener, resolved.</summary>
internal sealed record LoadedControl(IPEndPoint EndPoint, System.Security.Cryptography.X509Certificates.X509Certificate2? Certificate, string GatewayAddress, TimeSpan WatchInterval);
