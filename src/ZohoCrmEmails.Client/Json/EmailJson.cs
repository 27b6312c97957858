using System.Buffers.Text;
using System.Text;
using System.Text.Json;
using ZohoCrmEmails.Models;

namespace ZohoCrmEmails.Json;

/// <summary>
/// The e-mails of a list or detail body, read in one pass with a Utf8JsonReader: every page of every record goes
/// through here, so it is written out rather than left to the serializer's generic metadata (which costs a fresh
/// process most of its CPU per e-mail until the JIT has tiered it up). Zoho's loose typing is accepted as the contract
/// says: numbers as strings ("count":"1", "size":"24792"), ids as numbers, objects where text was expected (kept as
/// their JSON), reply_to as an object, a string or a list. Fields it does not name are kept in AdditionalFields.
/// Malformed JSON, or a value of a kind no rule accepts, is a JsonException.
/// </summary>
internal static class EmailJson
{
    /// <summary>The list (null when the body has no "Emails" or "email_related_list", or it is null) and the paging info.</summary>
    public readonly record struct Envelope(List<ZcrmEmail?>? Emails, ZcrmPageInfo? Info);

    /// <param name="json">A list or detail body.</param>
    /// <param name="pool">The connection's strings (<see cref="Utf8StringPool"/>): short values shared across e-mails.</param>
    public static Envelope Read(ReadOnlySpan<byte> json, Utf8StringPool pool)
    {
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 64 });
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            throw new JsonException("The body is not a JSON object.");
        List<ZcrmEmail?>? emails = null;
        ZcrmPageInfo? info = null;
        while (NextProperty(ref reader))
        {
            var name = Name(ref reader);
            reader.Read();
            if (name.SequenceEqual("Emails"u8) || name.SequenceEqual("email_related_list"u8)) emails = List(ref reader, json, pool);
            else if (name.SequenceEqual("info"u8)) info = Info(ref reader, json, pool);
            else reader.Skip();
        }
        if (reader.Read())
            throw new JsonException("The body goes on after its JSON object.");
        return new Envelope(emails, info);
    }

    private static List<ZcrmEmail?>? List(ref Utf8JsonReader reader, ReadOnlySpan<byte> json, Utf8StringPool pool)
    {
        if (reader.TokenType == JsonTokenType.Null) return null;
        Expect(ref reader, JsonTokenType.StartArray, "Emails");
        var list = new List<ZcrmEmail?>(10);
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            list.Add(reader.TokenType == JsonTokenType.Null ? null : Email(ref reader, json, pool));
        return list;
    }

    private static ZcrmPageInfo? Info(ref Utf8JsonReader reader, ReadOnlySpan<byte> json, Utf8StringPool pool) =>
        Object<ZcrmPageInfo>(ref reader, json, pool, "info", static (info, scoped name, ref r, _, _) =>
        {
            if (name.SequenceEqual("more_records"u8)) info.MoreRecords = Bool(ref r);
            else if (name.SequenceEqual("next_index"u8)) info.NextIndex = Text(ref r);
            else if (name.SequenceEqual("per_page"u8)) info.PerPage = (int?)Count(ref r);
            else if (name.SequenceEqual("count"u8)) info.Count = (int?)Count(ref r);
            else r.Skip();
        });

    private static ZcrmEmail Email(ref Utf8JsonReader reader, ReadOnlySpan<byte> json, Utf8StringPool pool) =>
        Object<ZcrmEmail>(ref reader, json, pool, "an e-mail", EmailProperty)!;   // never null: List reads a null item itself

    private static void EmailProperty(ZcrmEmail e, scoped ReadOnlySpan<byte> name, ref Utf8JsonReader reader, ReadOnlySpan<byte> json, Utf8StringPool pool)
    {
        switch (name.Length)
        {
            case 2 when name.SequenceEqual("to"u8): e.To = Addresses(ref reader, json, pool); return;
            case 2 when name.SequenceEqual("cc"u8): e.Cc = Addresses(ref reader, json, pool); return;
            case 4 when name.SequenceEqual("from"u8): e.From = Address(ref reader, json, pool); return;
            case 4 when name.SequenceEqual("time"u8): e.Time = Time(ref reader); return;
            case 4 when name.SequenceEqual("sent"u8): e.Sent = NullableBool(ref reader); return;
            case 4 when name.SequenceEqual("read"u8): e.Read = NullableBool(ref reader); return;
            case 5 when name.SequenceEqual("owner"u8): e.Owner = UserRef(ref reader, json, pool); return;
            case 6 when name.SequenceEqual("status"u8): e.Status = Statuses(ref reader, json, pool); return;
            case 6 when name.SequenceEqual("source"u8): e.Source = Text(ref reader, json, pool); return;
            case 6 when name.SequenceEqual("intent"u8): e.Intent = Text(ref reader, json, pool); return;
            case 7 when name.SequenceEqual("subject"u8): e.Subject = String(ref reader, "subject"); return;
            case 7 when name.SequenceEqual("summary"u8): e.Summary = Text(ref reader, json, pool); return;
            case 7 when name.SequenceEqual("emotion"u8): e.Emotion = Text(ref reader, json, pool); return;
            case 7 when name.SequenceEqual("content"u8): e.Content = String(ref reader, "content"); return;
            case 8 when name.SequenceEqual("editable"u8): e.Editable = NullableBool(ref reader); return;
            case 8 when name.SequenceEqual("reply_to"u8): e.ReplyTo = FirstAddress(ref reader, json, pool); return;
            case 9 when name.SequenceEqual("sent_time"u8): e.SentTime = Time(ref reader); return;
            case 9 when name.SequenceEqual("thread_id"u8): e.ThreadId = Text(ref reader, json, pool); return;
            case 10 when name.SequenceEqual("message_id"u8): e.MessageId = String(ref reader, "message_id") ?? ""; return;
            case 11 when name.SequenceEqual("mail_format"u8): e.MailFormat = Text(ref reader, json, pool); return;
            case 11 when name.SequenceEqual("attachments"u8): e.Attachments = Attachments(ref reader, json, pool); return;
            case 13 when name.SequenceEqual("activity_info"u8): e.ActivityInfo = Element(ref reader); return;
            case 13 when name.SequenceEqual("linked_record"u8): e.LinkedRecord = LinkedRecord(ref reader, json, pool); return;
            case 14 when name.SequenceEqual("has_attachment"u8): e.HasAttachment = NullableBool(ref reader); return;
            case 14 when name.SequenceEqual("sentiment_info"u8): e.Sentiment = Text(ref reader, json, pool); return;
            case 17 when name.SequenceEqual("related_to_record"u8): e.RelatedToRecord = Element(ref reader); return;
            case 21 when name.SequenceEqual("has_thread_attachment"u8): e.HasThreadAttachment = NullableBool(ref reader); return;
        }
        e.AdditionalFields = Keep(e.AdditionalFields, name, ref reader);
    }

    private static ZcrmList<ZcrmEmailAddress> Addresses(ref Utf8JsonReader reader, ReadOnlySpan<byte> json, Utf8StringPool pool)
    {
        var list = new ZcrmList<ZcrmEmailAddress>();
        if (reader.TokenType == JsonTokenType.Null) return list;
        Expect(ref reader, JsonTokenType.StartArray, "a list of addresses");
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            list.Add(Address(ref reader, json, pool)!);   // a null item stays null: the parser's caller refuses the e-mail
        return list;
    }

    // An address as text: "Name <a@b>" or a bare address.
    private static ZcrmEmailAddress ParseAddress(string text)
    {
        var open = text.LastIndexOf('<');
        if (open >= 0 && text.EndsWith('>'))
            return new ZcrmEmailAddress { Name = text[..open].Trim().Trim('"'), Email = text[(open + 1)..^1] };
        return new ZcrmEmailAddress { Email = text };
    }

    // reply_to has no schema: an object, "Name <a@b>", or a list of which the first is kept.
    private static ZcrmEmailAddress? FirstAddress(ref Utf8JsonReader reader, ReadOnlySpan<byte> json, Utf8StringPool pool)
    {
        if (reader.TokenType != JsonTokenType.StartArray) return Address(ref reader, json, pool);
        ZcrmEmailAddress? first = null;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            first ??= Address(ref reader, json, pool);
        return first;
    }

    private static ZcrmEmailAddress? Address(ref Utf8JsonReader reader, ReadOnlySpan<byte> json, Utf8StringPool pool) =>
        reader.TokenType switch
        {
            JsonTokenType.String => ParseAddress(reader.GetString()!),
            JsonTokenType.Null or JsonTokenType.StartObject => Object<ZcrmEmailAddress>(ref reader, json, pool, "an address", static (a, scoped name, ref r, json, pool) =>
            {
                if (name.SequenceEqual("user_name"u8)) a.Name = Text(ref r, json, pool);
                else if (name.SequenceEqual("email"u8)) a.Email = Text(ref r, json, pool);
                else a.AdditionalFields = Keep(a.AdditionalFields, name, ref r);
            }),
            _ => throw new JsonException($"Expected an address, got {reader.TokenType}."),
        };

    private static ZcrmUserRef? UserRef(ref Utf8JsonReader reader, ReadOnlySpan<byte> json, Utf8StringPool pool) =>
        Object<ZcrmUserRef>(ref reader, json, pool, "owner", static (u, scoped name, ref r, json, pool) =>
        {
            if (name.SequenceEqual("id"u8)) u.Id = Text(ref r, json, pool);
            else if (name.SequenceEqual("name"u8)) u.Name = Text(ref r, json, pool);
            else u.AdditionalFields = Keep(u.AdditionalFields, name, ref r);
        });

    private static ZcrmLinkedRecord? LinkedRecord(ref Utf8JsonReader reader, ReadOnlySpan<byte> json, Utf8StringPool pool) =>
        Object<ZcrmLinkedRecord>(ref reader, json, pool, "linked_record", static (l, scoped name, ref r, json, pool) =>
        {
            if (name.SequenceEqual("id"u8)) l.Id = Text(ref r, json, pool);
            else if (name.SequenceEqual("name"u8)) l.Name = Text(ref r, json, pool);
            else if (name.SequenceEqual("module"u8)) l.Module = ModuleRef(ref r, json, pool);
            else l.AdditionalFields = Keep(l.AdditionalFields, name, ref r);
        });

    private static ZcrmModuleRef? ModuleRef(ref Utf8JsonReader reader, ReadOnlySpan<byte> json, Utf8StringPool pool) =>
        Object<ZcrmModuleRef>(ref reader, json, pool, "module", static (m, scoped name, ref r, json, pool) =>
        {
            if (name.SequenceEqual("api_name"u8)) m.ApiName = Text(ref r, json, pool);
            else if (name.SequenceEqual("id"u8)) m.Id = Text(ref r, json, pool);
            else m.AdditionalFields = Keep(m.AdditionalFields, name, ref r);
        });

    private static ZcrmList<ZcrmEmailStatus> Statuses(ref Utf8JsonReader reader, ReadOnlySpan<byte> json, Utf8StringPool pool) =>
        reader.TokenType == JsonTokenType.Null ? [] : Objects<ZcrmEmailStatus>(ref reader, json, pool, "status", "a status", static (s, scoped name, ref r, json, pool) =>
        {
            if (name.SequenceEqual("type"u8)) s.Type = Text(ref r, json, pool);
            else if (name.SequenceEqual("bounced_time"u8)) s.BouncedTime = Time(ref r);
            else if (name.SequenceEqual("bounced_reason"u8)) s.BouncedReason = Text(ref r, json, pool);
            else if (name.SequenceEqual("category"u8)) s.Category = Text(ref r, json, pool);
            else if (name.SequenceEqual("sub_category"u8)) s.SubCategory = Text(ref r, json, pool);
            else if (name.SequenceEqual("first_open"u8)) s.FirstOpen = Time(ref r);
            else if (name.SequenceEqual("last_open"u8)) s.LastOpen = Time(ref r);
            else if (name.SequenceEqual("count"u8)) s.Count = Count(ref r);
            else s.AdditionalFields = Keep(s.AdditionalFields, name, ref r);
        });

    private static ZcrmList<ZcrmAttachment>? Attachments(ref Utf8JsonReader reader, ReadOnlySpan<byte> json, Utf8StringPool pool) =>
        reader.TokenType == JsonTokenType.Null ? null : Objects<ZcrmAttachment>(ref reader, json, pool, "attachments", "an attachment", static (a, scoped name, ref r, json, pool) =>
        {
            if (name.SequenceEqual("id"u8)) a.Id = Text(ref r, json, pool);
            else if (name.SequenceEqual("name"u8)) a.Name = Text(ref r, json, pool);
            else if (name.SequenceEqual("size"u8)) a.Size = Count(ref r);
            else a.AdditionalFields = Keep(a.AdditionalFields, name, ref r);
        });

    // ---------------------------------------------------------------- objects and lists

    /// <summary>Reads one property of <typeparamref name="T"/>: the reader is on its value, which it must consume.</summary>
    private delegate void PropertyReader<in T>(T target, scoped ReadOnlySpan<byte> name, ref Utf8JsonReader reader, ReadOnlySpan<byte> json, Utf8StringPool pool);

    /// <summary>An object (or null) whose properties <paramref name="property"/> reads: the one loop every nested type shares.</summary>
    private static T? Object<T>(ref Utf8JsonReader reader, ReadOnlySpan<byte> json, Utf8StringPool pool, string what, PropertyReader<T> property)
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
    private static ZcrmList<T> Objects<T>(ref Utf8JsonReader reader, ReadOnlySpan<byte> json, Utf8StringPool pool, string what, string item,
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
    private static bool NextProperty(ref Utf8JsonReader reader) => reader.Read() && reader.TokenType == JsonTokenType.PropertyName;

    /// <summary>The current property name; unescaped into a new array in the rare case it has escapes.</summary>
    private static ReadOnlySpan<byte> Name(ref Utf8JsonReader reader) =>
        !reader.ValueIsEscaped && !reader.HasValueSequence ? reader.ValueSpan : Encoding.UTF8.GetBytes(reader.GetString()!);

    private static void Expect(ref Utf8JsonReader reader, JsonTokenType type, string what)
    {
        if (reader.TokenType != type)
            throw new JsonException($"Expected {what} to be {(type == JsonTokenType.StartObject ? "an object" : "a list")}, got {reader.TokenType}.");
    }

    /// <summary>A JSON string or null; anything else is not what the contract sends for this field.</summary>
    private static string? String(ref Utf8JsonReader reader, string what) => reader.TokenType switch
    {
        JsonTokenType.Null => null,
        JsonTokenType.String => reader.GetString(),
        _ => throw new JsonException($"Expected a string for {what}, got {reader.TokenType}."),
    };

    /// <summary>Text however Zoho types it: a string, a number or boolean as written, an object or array as its JSON.</summary>
    private static string? Text(ref Utf8JsonReader reader, ReadOnlySpan<byte> json, Utf8StringPool pool)
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
    private static string? Text(ref Utf8JsonReader reader) => reader.TokenType switch
    {
        JsonTokenType.Null => null,
        JsonTokenType.String => reader.GetString(),
        JsonTokenType.Number => Encoding.UTF8.GetString(reader.ValueSpan),
        _ => throw new JsonException($"Expected a cursor, got {reader.TokenType}."),
    };

    private static bool Bool(ref Utf8JsonReader reader) => reader.TokenType switch
    {
        JsonTokenType.True => true,
        JsonTokenType.False or JsonTokenType.Null => false,
        JsonTokenType.String when reader.ValueTextEquals("true"u8) => true,
        JsonTokenType.String when reader.ValueTextEquals("false"u8) => false,
        _ => throw new JsonException($"Expected true or false, got {reader.TokenType}."),
    };

    /// <summary>A flag Zoho's schema makes nullable: null stays "unknown".</summary>
    private static bool? NullableBool(ref Utf8JsonReader reader) => reader.TokenType == JsonTokenType.Null ? null : Bool(ref reader);

    /// <summary>ISO 8601 with its offset kept; null or an empty string is no time.</summary>
    private static DateTimeOffset? Time(ref Utf8JsonReader reader)
    {
        if (reader.TokenType == JsonTokenType.Null) return null;
        if (reader.TokenType != JsonTokenType.String) throw new JsonException($"Expected a time, got {reader.TokenType}.");
        if (reader.ValueSpan.Length == 0 && !reader.HasValueSequence) return null;
        return reader.TryGetDateTimeOffset(out var time) ? time : throw new JsonException("A time is not ISO 8601.");
    }

    /// <summary>A 64-bit count from a number or a string of digits ("count":"1", "size":"24792").</summary>
    private static long? Count(ref Utf8JsonReader reader)
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
    private static ZcrmFields Keep(ZcrmFields? fields, scoped ReadOnlySpan<byte> name, ref Utf8JsonReader reader)
    {
        fields ??= new ZcrmFields();
        fields[Encoding.UTF8.GetString(name)] = JsonElement.ParseValue(ref reader);
        return fields;
    }

    /// <summary>A value kept whole, as the contract names it without a schema (activity_info, related_to_record).</summary>
    private static JsonElement? Element(ref Utf8JsonReader reader) =>
        reader.TokenType == JsonTokenType.Null ? null : JsonElement.ParseValue(ref reader);
}
