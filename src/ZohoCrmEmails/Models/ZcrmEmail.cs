using System.Text.Json;
using System.Text.Json.Serialization;

namespace ZohoCrmEmails.Models;

/// <summary>One e-mail attached to a CRM record, as listed or (with <see cref="Content"/>) read in full.</summary>
public sealed class ZcrmEmail
{
    /// <summary>The module the e-mail was read from (not on the wire: set by the client).</summary>
    [JsonIgnore] public string Module { get; set; } = "";
    /// <summary>The record the e-mail was read from (not on the wire: set by the client).</summary>
    [JsonIgnore] public string RecordId { get; set; } = "";

    [JsonPropertyName("message_id")] public string MessageId { get; set; } = "";
    [JsonPropertyName("subject")] public string? Subject { get; set; }
    [JsonPropertyName("from")] public ZcrmEmailAddress? From { get; set; }
    [JsonPropertyName("to"), JsonObjectCreationHandling(JsonObjectCreationHandling.Populate)] public ZcrmList<ZcrmEmailAddress> To { get; set; } = [];
    [JsonPropertyName("cc"), JsonObjectCreationHandling(JsonObjectCreationHandling.Populate)] public ZcrmList<ZcrmEmailAddress> Cc { get; set; } = [];
    [JsonPropertyName("time")] public DateTimeOffset? Time { get; set; }
    [JsonPropertyName("sent")] public bool Sent { get; set; }
    [JsonPropertyName("read")] public bool Read { get; set; }
    [JsonPropertyName("status"), JsonObjectCreationHandling(JsonObjectCreationHandling.Populate)] public ZcrmList<ZcrmEmailStatus> Status { get; set; } = [];
    [JsonPropertyName("has_attachment")] public bool HasAttachment { get; set; }
    [JsonPropertyName("has_thread_attachment")] public bool HasThreadAttachment { get; set; }
    [JsonPropertyName("owner")] public ZcrmUserRef? Owner { get; set; }
    [JsonPropertyName("source"), JsonConverter(typeof(LenientStringConverter))] public string? Source { get; set; }
    [JsonPropertyName("summary"), JsonConverter(typeof(LenientStringConverter))] public string? Summary { get; set; }
    [JsonPropertyName("intent"), JsonConverter(typeof(LenientStringConverter))] public string? Intent { get; set; }
    [JsonPropertyName("sentiment_info"), JsonConverter(typeof(LenientStringConverter))] public string? Sentiment { get; set; }
    [JsonPropertyName("emotion"), JsonConverter(typeof(LenientStringConverter))] public string? Emotion { get; set; }
    [JsonPropertyName("activity_info")] public JsonElement? ActivityInfo { get; set; }
    [JsonPropertyName("related_to_record")] public JsonElement? RelatedToRecord { get; set; }
    [JsonPropertyName("linked_record")] public ZcrmLinkedRecord? LinkedRecord { get; set; }

    // Only on the one-e-mail call.
    [JsonPropertyName("content")] public string? Content { get; set; }
    [JsonPropertyName("mail_format"), JsonConverter(typeof(LenientStringConverter))] public string? MailFormat { get; set; }
    [JsonPropertyName("attachments")] public ZcrmList<ZcrmAttachment>? Attachments { get; set; }
    [JsonPropertyName("editable")] public bool? Editable { get; set; }
    [JsonPropertyName("sent_time")] public DateTimeOffset? SentTime { get; set; }
    /// <summary>A string since v7, a number in v5/v6: kept as its digits or text either way.</summary>
    [JsonPropertyName("thread_id"), JsonConverter(typeof(LenientStringConverter))] public string? ThreadId { get; set; }
    [JsonPropertyName("reply_to"), JsonConverter(typeof(AddressConverter))] public ZcrmEmailAddress? ReplyTo { get; set; }

    /// <summary>Every field Zoho sends that this model does not name, so nothing the server sends is lost.</summary>
    [JsonExtensionData] public Dictionary<string, JsonElement>? AdditionalFields { get; set; }

    /// <summary>True when any status says the e-mail bounced.</summary>
    [JsonIgnore] public bool Bounced => HasStatus("bounced");
    /// <summary>True when any status says the e-mail was opened.</summary>
    [JsonIgnore] public bool Opened => HasStatus("opened");
    /// <summary>True once the body was read (the one-e-mail call).</summary>
    [JsonIgnore] public bool HasContent => Content is not null;

    /// <summary>
    /// After parsing: what Zoho sent as null where a list or id belongs becomes empty. False when a list holds a null
    /// item, which the engine reports as an invalid response rather than guess.
    /// </summary>
    internal bool Normalize()
    {
        MessageId ??= "";
        To ??= [];
        Cc ??= [];
        Status ??= [];
        return !To.Contains(null!) && !Cc.Contains(null!) && !Status.Contains(null!) && Attachments?.Contains(null!) != true;
    }

    private bool HasStatus(string type)
    {
        foreach (var s in Status)
            if (string.Equals(s.Type, type, StringComparison.OrdinalIgnoreCase)) return true;
        return false;
    }

    public override string ToString() => $"{Time:u} {From} {Subject}";
}

public sealed class ZcrmEmailAddress
{
    [JsonPropertyName("user_name"), JsonConverter(typeof(LenientStringConverter))] public string? Name { get; set; }
    [JsonPropertyName("email"), JsonConverter(typeof(LenientStringConverter))] public string? Email { get; set; }
    [JsonExtensionData] public Dictionary<string, JsonElement>? AdditionalFields { get; set; }

    internal static ZcrmEmailAddress Parse(string text)
    {
        // "Name <a@b>" or a bare address.
        var open = text.LastIndexOf('<');
        if (open >= 0 && text.EndsWith('>'))
            return new ZcrmEmailAddress { Name = text[..open].Trim().Trim('"'), Email = text[(open + 1)..^1] };
        return new ZcrmEmailAddress { Email = text };
    }

    public override string ToString() => string.IsNullOrEmpty(Name) ? Email ?? "" : $"{Name} <{Email}>";
}

public sealed class ZcrmUserRef
{
    [JsonPropertyName("id"), JsonConverter(typeof(LenientStringConverter))] public string? Id { get; set; }
    [JsonPropertyName("name"), JsonConverter(typeof(LenientStringConverter))] public string? Name { get; set; }
    [JsonExtensionData] public Dictionary<string, JsonElement>? AdditionalFields { get; set; }
    public override string ToString() => Name ?? Id ?? "";
}

public sealed class ZcrmLinkedRecord
{
    [JsonPropertyName("id"), JsonConverter(typeof(LenientStringConverter))] public string? Id { get; set; }
    [JsonPropertyName("name"), JsonConverter(typeof(LenientStringConverter))] public string? Name { get; set; }
    [JsonPropertyName("module")] public ZcrmModuleRef? Module { get; set; }
    [JsonExtensionData] public Dictionary<string, JsonElement>? AdditionalFields { get; set; }
    public override string ToString() => $"{Module?.ApiName}/{Id} {Name}".Trim();
}

public sealed class ZcrmModuleRef
{
    [JsonPropertyName("api_name"), JsonConverter(typeof(LenientStringConverter))] public string? ApiName { get; set; }
    [JsonPropertyName("id"), JsonConverter(typeof(LenientStringConverter))] public string? Id { get; set; }
    [JsonExtensionData] public Dictionary<string, JsonElement>? AdditionalFields { get; set; }
    public override string ToString() => ApiName ?? Id ?? "";
}

/// <summary>One status of an e-mail; an e-mail can carry several (sent and opened, say).</summary>
public sealed class ZcrmEmailStatus
{
    [JsonPropertyName("type"), JsonConverter(typeof(LenientStringConverter))] public string? Type { get; set; }
    [JsonPropertyName("bounced_time")] public DateTimeOffset? BouncedTime { get; set; }
    [JsonPropertyName("bounced_reason"), JsonConverter(typeof(LenientStringConverter))] public string? BouncedReason { get; set; }
    [JsonPropertyName("category"), JsonConverter(typeof(LenientStringConverter))] public string? Category { get; set; }
    [JsonPropertyName("sub_category"), JsonConverter(typeof(LenientStringConverter))] public string? SubCategory { get; set; }
    [JsonPropertyName("first_open")] public DateTimeOffset? FirstOpen { get; set; }
    [JsonPropertyName("last_open")] public DateTimeOffset? LastOpen { get; set; }
    /// <summary>Sent by Zoho as a string ("1").</summary>
    [JsonPropertyName("count"), JsonConverter(typeof(Int64FromStringConverter))] public long? Count { get; set; }
    [JsonExtensionData] public Dictionary<string, JsonElement>? AdditionalFields { get; set; }
    public override string ToString() => Type ?? "";
}

public sealed class ZcrmAttachment
{
    [JsonPropertyName("id"), JsonConverter(typeof(LenientStringConverter))] public string? Id { get; set; }
    [JsonPropertyName("name"), JsonConverter(typeof(LenientStringConverter))] public string? Name { get; set; }
    /// <summary>Bytes; sent by Zoho as a string ("24792").</summary>
    [JsonPropertyName("size"), JsonConverter(typeof(Int64FromStringConverter))] public long? Size { get; set; }
    [JsonExtensionData] public Dictionary<string, JsonElement>? AdditionalFields { get; set; }
    public override string ToString() => $"{Name} ({Size} bytes)";
}
