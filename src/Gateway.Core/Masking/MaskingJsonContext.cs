using System.Text.Json.Serialization;

namespace Gateway.Core.Masking;

/// <summary>JSON encoding of replacement texts (trimming-safe).</summary>
[JsonSerializable(typeof(string))]
internal sealed partial class MaskingJsonContext : JsonSerializerContext;
