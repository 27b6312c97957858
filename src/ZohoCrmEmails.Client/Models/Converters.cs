using System.Buffers.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace ZohoCrmEmails.Models;

/// <summary>Reads a string, or keeps a number, boolean, object or array as its JSON text: Zoho types some fields loosely.</summary>
internal sealed class LenientStringConverter : JsonConverter<string?>
{
    public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.TokenType switch
    {
        JsonTokenType.Null => null,
        JsonTokenType.String => reader.GetString(),
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
