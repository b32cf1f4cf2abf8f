using System.Text.Json.Serialization;
using Gateway.Host.Grants;
using Gateway.Host.Identities;

namespace Gateway.Host.Storage;

/// <summary>How grants and identities are written in the store's body column.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, UseStringEnumConverter = true)]
[JsonSerializable(typeof(Grant))]
[JsonSerializable(typeof(Identity))]
internal sealed partial class StoreJsonContext : JsonSerializerContext;
