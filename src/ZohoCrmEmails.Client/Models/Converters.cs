using System.Buffers.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace ZohoCrmEmails.Models;

/// <summary>
/// Reads a string, or keeps a number, boolean, object or array as its JSON text: Zoho types some fields loosely.
/// Short strings come from <see cref="Utf8StringPool"/>: names, addresses, ids and status words repeat on every page.
/// </summary>
internal sealed class LenientStringConverter : JsonConverter<string?>
{
    public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.TokenType switch
    {
        JsonTokenType.Null => null,
        JsonTokenType.String => Utf8StringPool.Get(ref reader),
        JsonTokenType.True => "true",
        JsonTokenType.False => "false",
        JsonTokenType.Number => System.Text.Encoding.UTF8.GetString(reader.HasValueSequence ? System.Buffers.BuffersExtensions.ToArray(reader.ValueSequence) : reader.ValueSpan),
        _ => JsonElement.ParseValue(ref reader).GetRawText(),
    };

    public override void Write(Utf8JsonWriter writer, string? value, JsonSerializerOptions options) => writer.WriteStringValue(value);
}

/// <summary>Reads a 64-bit count from a JSON number or a string of digits ("count":"1", "size":"24792").</summary>
internal sealed class Int64FromStringConverter : JsonConverter<long?>
{
    public override long? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.Null:
                return null;
            case JsonTokenType.Number:
                return reader.GetInt64();
            case JsonTokenType.String:
                var span = reader.HasValueSequence ? System.Buffers.BuffersExtensions.ToArray(reader.ValueSequence) : reader.ValueSpan;
                if (span.Length == 0) return null;
                if (Utf8Parser.TryParse(span, out long value, out var consumed) && consumed == span.Length) return value;
                throw new JsonException($"'{reader.GetString()}' is not a whole number.");
            default:
                throw new JsonException($"Expected a number or a string of digits, got {reader.TokenType}.");
        }
    }

    public override void Write(Utf8JsonWriter writer, long? value, JsonSerializerOptions options)
    {
        if (value is { } v) writer.WriteStringValue(v.ToString(System.Globalization.CultureInfo.InvariantCulture));
        else writer.WriteNullValue();
    }
}

/// <summary>An address given either as {"user_name","email"} or as a bare string.</summary>
internal sealed class AddressConverter : JsonConverter<ZcrmEmailAddress?>
{
    public override ZcrmEmailAddress? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.TokenType switch
    {
        JsonTokenType.Null => null,
        JsonTokenType.String => ZcrmEmailAddress.Parse(reader.GetString()!),
        JsonTokenType.StartArray => ReadFirst(ref reader),
        _ => JsonSerializer.Deserialize(ref reader, ZcrmJsonContext.Default.ZcrmEmailAddress),
    };

    // reply_to has no schema; a list keeps its first address rather than failing the page.
    private static ZcrmEmailAddress? ReadFirst(ref Utf8JsonReader reader)
    {
        var list = JsonSerializer.Deserialize(ref reader, ZcrmJsonContext.Default.ZcrmListZcrmEmailAddress);
        return list is { Count: > 0 } ? list[0] : null;
    }

    public override void Write(Utf8JsonWriter writer, ZcrmEmailAddress? value, JsonSerializerOptions options) =>
        JsonSerializer.Serialize(writer, value!, ZcrmJsonContext.Default.ZcrmEmailAddress);
}

/// <summary>The sharing envelope: an array in the schema and SDKs, an object on the vendor's page.</summary>
internal sealed class SharingListConverter : JsonConverter<List<ZcrmEmailSharing>?>
{
    public override List<ZcrmEmailSharing>? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.TokenType switch
    {
        JsonTokenType.Null => null,
        JsonTokenType.StartObject => [JsonSerializer.Deserialize(ref reader, ZcrmJsonContext.Default.ZcrmEmailSharing)!],
        _ => JsonSerializer.Deserialize(ref reader, ZcrmJsonContext.Default.ListZcrmEmailSharing),
    };

    public override void Write(Utf8JsonWriter writer, List<ZcrmEmailSharing>? value, JsonSerializerOptions options) =>
        JsonSerializer.Serialize(writer, value!, ZcrmJsonContext.Default.ListZcrmEmailSharing);
}

/// <summary>
/// One shared string per distinct short value, so that the same owner, sender, contact or status word on
/// thousands of e-mails is allocated once rather than once per e-mail. A fixed-size table (bounded memory) whose
/// slots are replaced on collision; a lost race only costs an allocation.
/// </summary>
internal static class Utf8StringPool
{
    private const int Slots = 4096;   // a power of two
    private const int MaxLength = 128;
    private static readonly Entry?[] Table = new Entry?[Slots];

    public static string Get(ref Utf8JsonReader reader)
    {
        if (reader.HasValueSequence || reader.ValueIsEscaped || reader.ValueSpan.Length > MaxLength)
            return reader.GetString()!;
        var utf8 = reader.ValueSpan;
        ref var slot = ref Table[Hash(utf8) & (Slots - 1)];
        var entry = Volatile.Read(ref slot);
        if (entry is not null && utf8.SequenceEqual(entry.Utf8))
            return entry.Value;
        var value = reader.GetString()!;
        Volatile.Write(ref slot, new Entry(utf8.ToArray(), value));
        return value;
    }

    private static uint Hash(ReadOnlySpan<byte> bytes)
    {
        var h = 2166136261u;   // FNV-1a: short keys, no allocation
        foreach (var b in bytes) h = (h ^ b) * 16777619u;
        return h;
    }

    private sealed class Entry(byte[] utf8, string value)
    {
        public byte[] Utf8 { get; } = utf8;
        public string Value { get; } = value;
    }
}
