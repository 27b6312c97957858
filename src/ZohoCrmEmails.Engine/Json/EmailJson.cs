using System.Text.Json;
using ZohoCrmEmails.Models;
using static ZohoCrmEmails.Engine.Json.ZohoJsonReader;

namespace ZohoCrmEmails.Engine.Json;

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
}
