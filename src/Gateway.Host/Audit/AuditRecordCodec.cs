using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Gateway.Host.Audit;

/// <summary>
/// A record's bytes and chain hash. The line is compact JSON in a fixed field order, ASCII only (every control and
/// non-ASCII character is a \u escape), so the only raw newline is the terminator and a value cannot forge a record
/// boundary. The hash covers the exact bytes on disk minus the trailing hash field, so any altered byte shows.
/// </summary>
internal static class AuditRecordCodec
{
    public const string GenesisHash = "0000000000000000000000000000000000000000000000000000000000000000";
    public const int HexHashLength = 64;

    /// <summary><c>,"hash":"</c> + 64 hex + <c>"}</c>: how every line ends before its newline.</summary>
    public const int HashSuffixLength = 9 + HexHashLength + 2;

    private const string TimeFormat = "yyyy-MM-dd'T'HH:mm:ss.fff'Z'";
    private const int LogIdLength = 16;

    /// <summary>Domain (28), log id (16), seq (8), prev (32), body length (8).</summary>
    private const int HashedPrefixLength = 28 + LogIdLength + 8 + 32 + 8;
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.Default };

    private static ReadOnlySpan<byte> Domain => "gatewaycore.audit.record.v1\0"u8;

    private static ReadOnlySpan<byte> HashPrefix => ",\"hash\":\""u8;

    public static string FormatTime(DateTimeOffset time) => time.UtcDateTime.ToString(TimeFormat, CultureInfo.InvariantCulture);

    public static DateTimeOffset TruncateToMilliseconds(DateTimeOffset time)
        => new(time.UtcTicks - (time.UtcTicks % TimeSpan.TicksPerMillisecond), TimeSpan.Zero);

    /// <summary>
    /// Encodes a record, with its newline, into <paramref name="output"/> and returns the record. Throws
    /// <see cref="ArgumentException"/> when the event's data cannot be written as JSON (for instance a NaN), before
    /// anything is written to <paramref name="output"/>.
    /// </summary>
    public static AuditRecord Encode(ArrayBufferWriter<byte> output, ArrayBufferWriter<byte> scratch, ReadOnlySpan<byte> logId, long seq, DateTimeOffset time, string prev, AuditEvent e)
    {
        ArgumentException.ThrowIfNullOrEmpty(e.Type);
        scratch.ResetWrittenCount();
        time = TruncateToMilliseconds(time);
        using (var writer = new Utf8JsonWriter(scratch, WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteNumber("seq"u8, seq);
            writer.WriteString("time"u8, FormatTime(time));
            writer.WriteString("type"u8, e.Type);
            WriteOptional(writer, "agent"u8, e.Agent);
            WriteOptional(writer, "grant"u8, e.Grant);
            WriteOptional(writer, "session"u8, e.Session);
            WriteOptional(writer, "target"u8, e.Target);
            writer.WritePropertyName("data"u8);
            if (e.Data is null)
            {
                writer.WriteStartObject();
                writer.WriteEndObject();
            }
            else
            {
                e.Data.WriteTo(writer);
            }

            writer.WriteString("prev"u8, prev);
            writer.WriteEndObject();
        }

        ReadOnlySpan<byte> body = scratch.WrittenSpan;
        string hash = ComputeHash(logId, seq, prev, body[..^1]);
        output.Write(body[..^1]);
        output.Write(HashPrefix);
        int hexLength = System.Text.Encoding.ASCII.GetBytes(hash, output.GetSpan(HexHashLength));
        output.Advance(hexLength);
        output.Write("\"}\n"u8);
        return new AuditRecord
        {
            Seq = seq,
            Time = time,
            Type = e.Type,
            Agent = e.Agent,
            Grant = e.Grant,
            Session = e.Session,
            Target = e.Target,
            Data = e.Data ?? [],
            Prev = prev,
            Hash = hash,
        };
    }

    /// <summary>
    /// The chain hash: SHA-256 over the domain, the log id, seq (u64 big-endian), prev (32 bytes), the body length
    /// (u64 big-endian) and the body, where the body is the line without its hash field, closed with <c>}</c>.
    /// <paramref name="bodyWithoutBrace"/> is the body minus that final brace (the line up to <c>,"hash"</c>).
    /// </summary>
    public static string ComputeHash(ReadOnlySpan<byte> logId, long seq, string prev, ReadOnlySpan<byte> bodyWithoutBrace)
    {
        ArgumentOutOfRangeException.ThrowIfNotEqual(logId.Length, LogIdLength);
        // One contiguous message and a one-shot hash: an incremental hash context per record costs more than the hashing.
        int length = HashedPrefixLength + bodyWithoutBrace.Length + 1;
        byte[]? rented = length > 1024 ? ArrayPool<byte>.Shared.Rent(length) : null;
        Span<byte> message = rented is null ? stackalloc byte[1024] : rented;
        try
        {
            Domain.CopyTo(message);
            int at = Domain.Length;
            logId.CopyTo(message[at..]);
            at += LogIdLength;
            BinaryPrimitives.WriteUInt64BigEndian(message[at..], (ulong)seq);
            at += 8;
            Convert.FromHexString(prev, message.Slice(at, 32), out _, out _);
            at += 32;
            BinaryPrimitives.WriteUInt64BigEndian(message[at..], (ulong)bodyWithoutBrace.Length + 1);
            at += 8;
            bodyWithoutBrace.CopyTo(message[at..]);
            message[length - 1] = (byte)'}';
            Span<byte> digest = stackalloc byte[32];
            SHA256.HashData(message[..length], digest);
            return Convert.ToHexStringLower(digest);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    /// <summary>
    /// Parses one line (without its newline) and checks it is well formed: the fixed field set, a strict hash suffix,
    /// lowercase hex. It does not check the hash; see <see cref="ComputeHash"/> and <see cref="BodyWithoutBrace"/>.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> line, bool includeData, out AuditRecord? record, out string? error)
    {
        record = null;
        if (!HasHashSuffix(line))
        {
            error = "the line does not end with a well-formed hash field";
            return false;
        }

        try
        {
            record = Parse(line, includeData, out error);
            return record is not null;
        }
        catch (JsonException ex)
        {
            error = "not valid JSON: " + ex.Message;
            return false;
        }
        catch (InvalidOperationException ex)
        {
            error = "unexpected JSON value: " + ex.Message;
            return false;
        }
        catch (FormatException ex)
        {
            error = "bad value: " + ex.Message;
            return false;
        }
    }

    /// <summary>The part of a well-formed line the hash covers, less the closing brace the hash adds back.</summary>
    public static ReadOnlySpan<byte> BodyWithoutBrace(ReadOnlySpan<byte> line) => line[..^HashSuffixLength];

    public static bool IsLowerHex(ReadOnlySpan<byte> text, int length)
    {
        if (text.Length != length)
        {
            return false;
        }

        foreach (byte b in text)
        {
            if (b is not ((>= (byte)'0' and <= (byte)'9') or (>= (byte)'a' and <= (byte)'f')))
            {
                return false;
            }
        }

        return true;
    }

    public static bool IsLowerHex(string text, int length)
    {
        if (text.Length != length)
        {
            return false;
        }

        foreach (char c in text)
        {
            if (c is not ((>= '0' and <= '9') or (>= 'a' and <= 'f')))
            {
                return false;
            }
        }

        return true;
    }

    private static bool HasHashSuffix(ReadOnlySpan<byte> line)
        => line.Length > HashSuffixLength + 2
           && line[0] == (byte)'{'
           && line[^2] == (byte)'"' && line[^1] == (byte)'}'
           && line[^HashSuffixLength..].StartsWith(HashPrefix)
           && IsLowerHex(line[^(HexHashLength + 2)..^2], HexHashLength);

    private static void WriteOptional(Utf8JsonWriter writer, ReadOnlySpan<byte> name, string? value)
    {
        if (value is not null)
        {
            writer.WriteString(name, value);
        }
    }

    private static AuditRecord? Parse(ReadOnlySpan<byte> line, bool includeData, out string? error)
    {
        var reader = new Utf8JsonReader(line, new JsonReaderOptions { MaxDepth = 256 });
        reader.Read();
        long? seq = null;
        string? time = null, type = null, agent = null, grant = null, session = null, target = null, prev = null, hash = null;
        JsonObject? data = null;
        bool sawData = false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            string name = reader.GetString()!;
            reader.Read();
            bool duplicate = name switch
            {
                "seq" => Set(ref seq, reader.TokenType == JsonTokenType.Number ? reader.GetInt64() : throw new FormatException("seq is not a number")),
                "time" => Set(ref time, reader.GetString()),
                "type" => Set(ref type, reader.GetString()),
                "agent" => Set(ref agent, reader.GetString()),
                "grant" => Set(ref grant, reader.GetString()),
                "session" => Set(ref session, reader.GetString()),
                "target" => Set(ref target, reader.GetString()),
                "prev" => Set(ref prev, reader.GetString()),
                "hash" => Set(ref hash, reader.GetString()),
                "data" => ReadData(ref reader, includeData, ref data, ref sawData),
                _ => throw new FormatException($"unknown field \"{name}\""),
            };
            if (duplicate)
            {
                error = $"field \"{name}\" appears twice";
                return null;
            }
        }

        if (reader.TokenType != JsonTokenType.EndObject || reader.BytesConsumed != line.Length)
        {
            error = "the record is not one JSON object";
            return null;
        }

        if (seq is not { } s || time is null || type is null || !sawData || prev is null || hash is null)
        {
            error = "a required field (seq, time, type, data, prev, hash) is missing";
            return null;
        }

        if (!IsLowerHex(prev, HexHashLength))
        {
            error = "prev is not 64 lowercase hex digits";
            return null;
        }

        error = null;
        return new AuditRecord
        {
            Seq = s,
            Time = DateTimeOffset.ParseExact(time, TimeFormat, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal),
            Type = type,
            Agent = agent,
            Grant = grant,
            Session = session,
            Target = target,
            Data = data ?? [],
            Prev = prev,
            Hash = hash,
        };
    }

    private static bool ReadData(ref Utf8JsonReader reader, bool includeData, ref JsonObject? data, ref bool sawData)
    {
        if (sawData)
        {
            return true;
        }

        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new FormatException("data is not an object");
        }

        sawData = true;
        if (includeData)
        {
            data = JsonNode.Parse(ref reader)!.AsObject();
        }
        else
        {
            reader.Skip();
        }

        return false;
    }

    private static bool Set<T>(ref T? field, T value)
    {
        if (field is not null)
        {
            return true;
        }

        field = value ?? throw new FormatException("a field is null");
        return false;
    }

    private static bool Set(ref long? field, long value)
    {
        if (field is not null)
        {
            return true;
        }

        field = value;
        return false;
    }
}
