using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;

namespace Gateway.Host.Audit;

/// <summary>
/// A checkpoint's line: compact JSON in a fixed field order ending in a signature field. The signature covers the
/// domain and the line without that field (closed with <c>}</c>); the line's SHA-256 chains the next checkpoint.
/// </summary>
internal static class AuditCheckpointCodec
{
    public const int HexSignatureLength = 128;
    private const int SignatureSuffixLength = 14 + HexSignatureLength + 2;
    private const string TimeFormat = "yyyy-MM-dd'T'HH:mm:ss.fff'Z'";

    private static ReadOnlySpan<byte> Domain => "gatewaycore.audit.checkpoint.v1\0"u8;

    private static ReadOnlySpan<byte> SignaturePrefix => ",\"signature\":\""u8;

    /// <summary>Signs a checkpoint and returns it with its line (no newline).</summary>
    public static (AuditCheckpoint Checkpoint, byte[] Line) Encode(AuditSigningKey key, string logId, long seq, string head, DateTimeOffset time, string prevCheckpoint)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("logId"u8, logId);
            writer.WriteNumber("seq"u8, seq);
            writer.WriteString("head"u8, head);
            writer.WriteString("time"u8, AuditRecordCodec.FormatTime(time));
            writer.WriteString("keyId"u8, key.KeyId);
            writer.WriteString("prevCheckpoint"u8, prevCheckpoint);
            writer.WriteEndObject();
        }

        ReadOnlySpan<byte> body = buffer.WrittenSpan;
        string signature = Convert.ToHexStringLower(key.Sign(SignedMessage(body[..^1])));
        byte[] line = [.. body[..^1], .. SignaturePrefix, .. System.Text.Encoding.ASCII.GetBytes(signature), .. "\"}"u8];
        var checkpoint = new AuditCheckpoint
        {
            LogId = logId,
            Seq = seq,
            Head = head,
            Time = AuditRecordCodec.TruncateToMilliseconds(time),
            KeyId = key.KeyId,
            PrevCheckpoint = prevCheckpoint,
            Signature = signature,
            Hash = Convert.ToHexStringLower(SHA256.HashData(line)),
        };
        return (checkpoint, line);
    }

    public static bool VerifySignature(ECDsa publicKey, ReadOnlySpan<byte> line)
        => publicKey.VerifyData(SignedMessage(line[..^SignatureSuffixLength]), Convert.FromHexString(line[^(HexSignatureLength + 2)..^2]), HashAlgorithmName.SHA256);

    /// <summary>Parses a line (without its newline) and checks its form; the signature is checked by <see cref="VerifySignature"/>.</summary>
    public static bool TryParse(ReadOnlySpan<byte> line, out AuditCheckpoint? checkpoint, out string? error)
    {
        checkpoint = null;
        if (!(line.Length > SignatureSuffixLength + 2
              && line[0] == (byte)'{' && line[^2] == (byte)'"' && line[^1] == (byte)'}'
              && line[^SignatureSuffixLength..].StartsWith(SignaturePrefix)
              && AuditRecordCodec.IsLowerHex(line[^(HexSignatureLength + 2)..^2], HexSignatureLength)))
        {
            error = "the line does not end with a well-formed signature field";
            return false;
        }

        try
        {
            var reader = new Utf8JsonReader(line);
            reader.Read();
            string[] names = ["logId", "seq", "head", "time", "keyId", "prevCheckpoint", "signature"];
            var values = new string?[names.Length];
            long seq = 0;
            for (int i = 0; i < names.Length; i++)
            {
                if (!reader.Read() || reader.TokenType != JsonTokenType.PropertyName || !reader.ValueTextEquals(names[i]))
                {
                    error = $"expected the field \"{names[i]}\"";
                    return false;
                }

                reader.Read();
                if (i == 1)
                {
                    seq = reader.GetInt64();
                }
                else
                {
                    values[i] = reader.GetString();
                }
            }

            if (!reader.Read() || reader.TokenType != JsonTokenType.EndObject || reader.BytesConsumed != line.Length)
            {
                error = "the checkpoint is not one JSON object of the expected fields";
                return false;
            }

            if (!AuditRecordCodec.IsLowerHex(values[0]!, 32) || !AuditRecordCodec.IsLowerHex(values[2]!, 64)
                || !AuditRecordCodec.IsLowerHex(values[4]!, 64) || !AuditRecordCodec.IsLowerHex(values[5]!, 64) || seq < 0)
            {
                error = "a hex field is malformed or seq is negative";
                return false;
            }

            checkpoint = new AuditCheckpoint
            {
                LogId = values[0]!,
                Seq = seq,
                Head = values[2]!,
                Time = DateTimeOffset.ParseExact(values[3]!, TimeFormat, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal),
                KeyId = values[4]!,
                PrevCheckpoint = values[5]!,
                Signature = values[6]!,
                Hash = Convert.ToHexStringLower(SHA256.HashData(line)),
            };
            error = null;
            return true;
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or FormatException)
        {
            error = "not a valid checkpoint: " + ex.Message;
            return false;
        }
    }

    private static byte[] SignedMessage(ReadOnlySpan<byte> bodyWithoutBrace) => [.. Domain, .. bodyWithoutBrace, .. "}"u8];
}
