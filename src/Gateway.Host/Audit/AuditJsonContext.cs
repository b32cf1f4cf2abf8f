using System.Text.Json.Serialization;

namespace Gateway.Host.Audit;

/// <summary>How <c>log.json</c> is written; records and checkpoints have hand-written codecs because their bytes are hashed.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true)]
[JsonSerializable(typeof(AuditManifest))]
internal sealed partial class AuditJsonContext : JsonSerializerContext;
