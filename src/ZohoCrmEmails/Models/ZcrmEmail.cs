using System.Text.Json;

namespace ZohoCrmEmails.Models;

/// <summary>One e-mail attached to a CRM record, as listed or (with <see cref="Content"/>) read in full.</summary>
public sealed class ZcrmEmail
{
    /// <summary>The module the e-mail was read from (not on the wire: set by the client).</summary>
    public string Module { get; set; } = "";
    /// <summary>The record the e-mail was read from (not on the wire: set by the client).</summary>
    public string RecordId { get; set; } = "";

    public string MessageId { get; set; } = "";
    public string? Subject { get; set; }
    public ZcrmEmailAddress? From { get; set; }
    public ZcrmList<ZcrmEmailAddress> To { get; set; } = [];
    public ZcrmList<ZcrmEmailAddress> Cc { get; set; } = [];
    public DateTimeOffset? Time { get; set; }
    // Nullable in Zoho's OpenAPI schema: null is "unknown", not false.
    public bool? Sent { get; set; }
    public bool? Read { get; set; }
    public ZcrmList<ZcrmEmailStatus> Status { get; set; } = [];
    /// <summary>Null when Zoho did not say: the archive cmdlets then read the e-mail rather than skip it.</summary>
    public bool? HasAttachment { get; set; }
    public bool? HasThreadAttachment { get; set; }
    public ZcrmUserRef? Owner { get; set; }
    public string? Source { get; set; }
    public string? Summary { get; set; }
    public string? Intent { get; set; }
    public string? Sentiment { get; set; }
    public string? Emotion { get; set; }
    public JsonElement? ActivityInfo { get; set; }
    public JsonElement? RelatedToRecord { get; set; }
    public ZcrmLinkedRecord? LinkedRecord { get; set; }

    // Only on the one-e-mail call.
    public string? Content { get; set; }
    public string? MailFormat { get; set; }
    public ZcrmList<ZcrmAttachment>? Attachments { get; set; }
    public bool? Editable { get; set; }
    public DateTimeOffset? SentTime { get; set; }
    /// <summary>A string since v7, a number in v5/v6: kept as its digits or text either way.</summary>
    public string? ThreadId { get; set; }
    public ZcrmEmailAddress? ReplyTo { get; set; }

    /// <summary>Every field Zoho sends that this model does not name, so nothing the server sends is lost.</summary>
    public ZcrmFields? AdditionalFields { get; set; }

    /// <summary>True when any status says the e-mail bounced.</summary>
    public bool Bounced => HasStatus("bounced");
    /// <summary>True when any status says the e-mail was opened.</summary>
    public bool Opened => HasStatus("opened");
    /// <summary>True once the body was read (the one-e-mail call).</summary>
    public bool HasContent => Content is not null;

    private bool HasStatus(string type)
    {
        foreach (var s in Status)
            if (string.Equals(s.Type, type, StringComparison.OrdinalIgnoreCase)) return true;
        return false;
    }

    public override string ToString() => $"{Time:u} {From} {Subject}";
}
