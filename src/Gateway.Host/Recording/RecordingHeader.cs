using System.Buffers;
using System.Text.Json;

namespace Gateway.Host.Recording;

/// <summary>Who, where and when: the first record of every recording.</summary>
/// <remarks>The session id names the file: letters, digits, '.', '_' and '-' only.</remarks>
internal sealed record RecordingHeader(string SessionId, string? GrantId, string Agent, string Target, string? Scope, string? Database, DateTimeOffset StartedAt)
{
    public int FormatVersion { get; init; } = RecordingFormat.Version;

    internal void WriteJson(IBufferWriter<byte> output)
    {
        using var json = new Utf8JsonWriter(output);
        json.WriteStartObject();
        json.WriteNumber("format"u8, FormatVersion);
        json.WriteString("sessionId"u8, SessionId);
        json.WriteString("grantId"u8, GrantId);
        json.WriteString("agent"u8, Agent);
        json.WriteString("target"u8, Target);
        json.WriteString("scope"u8, Scope);
        json.WriteString("database"u8, Database);
        json.WriteString("startedAt"u8, StartedAt.UtcDateTime);
        json.WriteEndObject();
    }

    internal static RecordingHeader? TryParse(ReadOnlySpan<byte> json)
    {
        try
        {
            using JsonDocument document = JsonDocument.Parse(json.ToArray());
            JsonElement root = document.RootElement;
            return new RecordingHeader(
                root.GetProperty("sessionId").GetString()!, String(root, "grantId"), root.GetProperty("agent").GetString()!,
                root.GetProperty("target").GetString()!, String(root, "scope"), String(root, "database"), root.GetProperty("startedAt").GetDateTimeOffset())
            {
                FormatVersion = root.GetProperty("format").GetInt32(),
            };
        }
        catch (Exception exception) when (exception is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            return null;
        }
    }

    private static string? String(JsonElement root, string name)
        => root.TryGetProperty(name, out JsonElement value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    internal static bool IsValidSessionId(string id)
        => id.Length is > 0 and <= 128 && id[0] != '.' && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-');
}
