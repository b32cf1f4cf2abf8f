using System.Text.Json.Serialization;
using Gateway.Host.Audit;
using Gateway.Host.Grants;
using Gateway.Host.Identities;

namespace Gateway.Host.Storage;

/// <summary>How grants, identities and audit sessions are written in the store's body column.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, UseStringEnumConverter = true)]
[JsonSerializable(typeof(Grant))]
[JsonSerializable(typeof(Identity))]
[JsonSerializable(typeof(AuditSession))]
internal sealed partial class StoreJsonContext : JsonSerializerContext;
