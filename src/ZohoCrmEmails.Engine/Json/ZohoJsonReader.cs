using System.Buffers.Text;
using System.Text;
using System.Text.Json;
using ZohoCrmEmails.Models;

namespace ZohoCrmEmails.Engine.Json;

/// <summary>
/// The pieces every hand-written reader of Zoho's bodies shares (<see cref="EmailJson"/>, <see cref="SharingJson"/>):
/// one loop for an object's properties and one for a list of objects, and Zoho's loose typing of values accepted as
/// the contract says (numbers as strings, ids as numbers, objects where text was expected, kept as their JSON).
/// Malformed JSON, or a value of a kind no rule accepts, is a JsonException.
/// </summary>
internal static class ZohoJsonReader
{
    // ---------------------------------------------------------------- objects and lists

    /// <summary>Reads one property of <typeparamref name="T"/>: the reader is on its value, which it must consume.</summary>
    internal delegate void PropertyReader<in T>(T target, scoped ReadOnlySpan<byte> name, ref Utf8JsonReader reader, ReadOnlySpan<byte> json, Utf8StringPool pool);

    /// <summary>An object (or null) whose properties <paramref name="property"/> reads: the one loop every nested type shares.</summary>
    internal static T? Object<T>(ref Utf8JsonReader reader, ReadOnlySpan<byte> json, Utf8StringPool pool, string what, PropertyReader<T> property)
        where T : class, new()
    {
        if (reader.TokenType == JsonTokenType.Null) return null;
        Expect(ref reader, JsonTokenType.StartObject, what);
        var target = new T();
        while (NextProperty(ref reader))
        {
            var name = Name(ref reader);
            reader.Read();
            property(target, name, ref reader, json, pool);
        }
        return target;
    }

    /// <summary>A list of objects; a null item is kept as null, for the parser's caller to refuse the e-mail.</summary>
    internal static ZcrmList<T> Objects<T>(ref Utf8JsonReader reader, ReadOnlySpan<byte> json, Utf8StringPool pool, string what, string item,
        PropertyReader<T> property) where T : class, new()
    {
        Expect(ref reader, JsonTokenType.StartArray, what);
        var list = new ZcrmList<T>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            list.Add(Object(ref reader, json, pool, item, property)!);
        return list;
    }

    // ---------------------------------------------------------------- values

    /// <summary>Advances to the next property name of the current object; false at its end.</summary>
    internal static bool NextProperty(ref Utf8JsonReader reader) => reader.Read() && reader.TokenType == JsonTokenType.PropertyName;

    /// <summary>The current property name; unescaped into a new array in the rare case it has escapes.</summary>
    internal static ReadOnlySpan<byte> Name(ref Utf8JsonReader reader) =>
        !reader.ValueIsEscaped && !reader.HasValueSequence ? reader.ValueSpan : Encoding.UTF8.GetBytes(reader.GetString()!);

    internal static void Expect(ref Utf8JsonReader reader, JsonTokenType type, string what)
    {
        if (reader.TokenType != type)
            throw new JsonException($"Expected {what} to be {(type == JsonTokenType.StartObject ? "an object" : "a list")}, got {reader.TokenType}.");
    }

    /// <summary>A JSON string or null; anything else is not what the contract sends for this field.</summary>
    internal static string? String(ref Utf8JsonReader reader, string what) => reader.TokenType switch
    {
        JsonTokenType.Null => null,
        JsonTokenType.String => reader.GetString(),
        _ => throw new JsonException($"Expected a string for {what}, got {reader.TokenType}."),
    };

    /// <summary>Text however Zoho types it: a string, a number or boolean as written, an object or array as its JSON.</summary>
    internal static string? Text(ref Utf8JsonReader reader, ReadOnlySpan<byte> json, Utf8StringPool pool)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.Null: return null;
            case JsonTokenType.String: return reader.ValueIsEscaped ? reader.GetString() : pool.Get(reader.ValueSpan);
            case JsonTokenType.True: return "true";
            case JsonTokenType.False: return "false";
            case JsonTokenType.Number: return Encoding.UTF8.GetString(reader.ValueSpan);
            default:
                var start = (int)reader.TokenStartIndex;
                reader.Skip();
                return Encoding.UTF8.GetString(json[start..(int)reader.BytesConsumed]);
        }
    }

    /// <summary>next_index: a string, or a number kept as its digits.</summary>
    internal static string? Text(ref Utf8JsonReader reader) => reader.TokenType switch
    {
        JsonTokenType.Null => null,
        JsonTokenType.String => reader.GetString(),
        JsonTokenType.Number => Encoding.UTF8.GetString(reader.ValueSpan),
        _ => throw new JsonException($"Expected a cursor, got {reader.TokenType}."),
    };

    internal static bool Bool(ref Utf8JsonReader reader) => reader.TokenType switch
    {
        JsonTokenType.True => true,
        JsonTokenType.False or JsonTokenType.Null => false,
        JsonTokenType.String when reader.ValueTextEquals("true"u8) => true,
        JsonTokenType.String when reader.ValueTextEquals("false"u8) => false,
        _ => throw new JsonException($"Expected true or false, got {reader.TokenType}."),
    };

    /// <summary>A flag Zoho's schema makes nullable: null stays "unknown".</summary>
    internal static bool? NullableBool(ref Utf8JsonReader reader) => reader.TokenType == JsonTokenType.Null ? null : Bool(ref reader);

    /// <summary>ISO 8601 with its offset kept; null or an empty string is no time.</summary>
    internal static DateTimeOffset? Time(ref Utf8JsonReader reader)
    {
        if (reader.TokenType == JsonTokenType.Null) return null;
        if (reader.TokenType != JsonTokenType.String) throw new JsonException($"Expected a time, got {reader.TokenType}.");
        if (reader.ValueSpan.Length == 0 && !reader.HasValueSequence) return null;
        return reader.TryGetDateTimeOffset(out var time) ? time : throw new JsonException("A time is not ISO 8601.");
    }

    /// <summary>A 64-bit count from a number or a string of digits ("count":"1", "size":"24792").</summary>
    internal static long? Count(ref Utf8JsonReader reader)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.Null:
                return null;
            case JsonTokenType.Number:
                return reader.TryGetInt64(out var n) ? n : throw new JsonException("A count is not a whole number.");
            case JsonTokenType.String:
                var span = reader.ValueSpan;
                if (span.Length == 0) return null;
                if (!reader.ValueIsEscaped && Utf8Parser.TryParse(span, out long value, out var consumed) && consumed == span.Length) return value;
                throw new JsonException("A count or size is not a whole number.");
            default:
                throw new JsonException($"Expected a number or a string of digits, got {reader.TokenType}.");
        }
    }

    /// <summary>A field no rule names, kept with its JSON; the dictionary is made for the first one.</summary>
    internal static ZcrmFields Keep(ZcrmFields? fields, scoped ReadOnlySpan<byte> name, ref Utf8JsonReader reader)
    {
        fields ??= new ZcrmFields();
        fields[Encoding.UTF8.GetString(name)] = JsonElement.ParseValue(ref reader);
        return fields;
    }

    /// <summary>A value kept whole, as the contract names it without a schema (activity_info, related_to_record).</summary>
    internal static JsonElement? Element(ref Utf8JsonReader reader) =>
        reader.TokenType == JsonTokenType.Null ? null : JsonElement.ParseValue(ref reader);
}

/// <summary>
/// One shared string per distinct short value read by a connection, so that the same owner, sender, contact, id or
/// status word on thousands of e-mails is allocated once rather than once per e-mail. A fixed-size table (at most
/// about a megabyte) whose slots are replaced on collision; a lost race only costs an allocation. It belongs to one
/// connection and goes with it (Disconnect-Zcrm).
/// </summary>
internal sealed class Utf8StringPool
{
    private const int Slots = 4096;   // a power of two
    private const int MaxLength = 128;
    private readonly Entry?[] _table = new Entry?[Slots];

    /// <summary>The string for these (unescaped) UTF-8 bytes.</summary>
    public string Get(ReadOnlySpan<byte> utf8)
    {
        if (utf8.Length > MaxLength) return Encoding.UTF8.GetString(utf8);
        ref var slot = ref _table[Hash(utf8) & (Slots - 1)];
        var entry = Volatile.Read(ref slot);
        if (entry is not null && utf8.SequenceEqual(entry.Utf8))
            return entry.Value;
        var value = Encoding.UTF8.GetString(utf8);
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
