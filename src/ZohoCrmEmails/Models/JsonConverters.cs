using System.Buffers;
using System.Buffers.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace ZohoCrmEmails.Models;

// Zoho types some fields loosely (numbers as strings, ids as numbers, a list where one address was expected).
// These converters sit on the model properties that need them; the engine's source-generated context uses them.

/// <summary>Reads a string, or keeps a number, boolean, object or array as its JSON text.</summary>
internal sealed class LenientStringConverter : JsonConverter<string?>
{
    public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.TokenType switch
    {
        JsonTokenType.Null => null,
        JsonTokenType.String => reader.GetString(),
        JsonTokenType.True => "true",
        JsonTokenType.False => "false",
        JsonTokenType.Number => System.Text.Encoding.UTF8.GetString(reader.HasValueSequence ? reader.ValueSequence.ToArray() : reader.ValueSpan),
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
                var span = reader.HasValueSequence ? reader.ValueSequence.ToArray() : reader.ValueSpan;
                if (span.Length == 0) return null;
                if (Utf8Parser.TryParse(span, out long value, out var consumed) && consumed == span.Length) return value;
                throw new JsonException("A count or size is not a whole number.");
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

/// <summary>
/// reply_to has no schema: an address given as {"user_name","email"}, as "Name &lt;a@b&gt;" or a bare address, or as a
/// list, of which the first is kept rather than failing the e-mail.
/// </summary>
internal sealed class AddressConverter : JsonConverter<ZcrmEmailAddress?>
{
    public override ZcrmEmailAddress? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.Null:
                return null;
            case JsonTokenType.String:
                return ZcrmEmailAddress.Parse(reader.GetString()!);
            case JsonTokenType.StartArray:
                ZcrmEmailAddress? first = null;
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    var item = Read(ref reader, typeToConvert, options);
                    first ??= item;
                }
                return first;
            case JsonTokenType.StartObject:
                var address = new ZcrmEmailAddress();
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    var name = reader.GetString();
                    reader.Read();
                    var value = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                    if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray) reader.Skip();
                    if (name == "user_name") address.Name = value;
                    else if (name == "email") address.Email = value;
                }
                return address;
            default:
                throw new JsonException($"Expected an address, got {reader.TokenType}.");
        }
    }

    public override void Write(Utf8JsonWriter writer, ZcrmEmailAddress? value, JsonSerializerOptions options)
    {
        if (value is null)
        {
            writer.WriteNullValue();
            return;
        }
        writer.WriteStartObject();
        writer.WriteString("user_name", value.Name);
        writer.WriteString("email", value.Email);
        writer.WriteEndObject();
    }
}
