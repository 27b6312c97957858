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
    public string? Name { get; set; }
    public string? Email { get; set; }
    public ZcrmFields? AdditionalFields { get; set; }

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
    public string? Id { get; set; }
    public string? Name { get; set; }
    public ZcrmFields? AdditionalFields { get; set; }
    public override string ToString() => Name ?? Id ?? "";
}

public sealed class ZcrmLinkedRecord
{
    public string? Id { get; set; }
    public string? Name { get; set; }
    public ZcrmModuleRef? Module { get; set; }
    public ZcrmFields? AdditionalFields { get; set; }
    public override string ToString() => $"{Module?.ApiName}/{Id} {Name}".Trim();
}

public sealed class ZcrmModuleRef
{
    public string? ApiName { get; set; }
    public string? Id { get; set; }
    public ZcrmFields? AdditionalFields { get; set; }
    public override string ToString() => ApiName ?? Id ?? "";
}

/// <summary>One status of an e-mail; an e-mail can carry several (sent and opened, say).</summary>
public sealed class ZcrmEmailStatus
{
    public string? Type { get; set; }
    public DateTimeOffset? BouncedTime { get; set; }
    public string? BouncedReason { get; set; }
    public string? Category { get; set; }
    public string? SubCategory { get; set; }
    public DateTimeOffset? FirstOpen { get; set; }
    public DateTimeOffset? LastOpen { get; set; }
    /// <summary>Sent by Zoho as a string ("1").</summary>
    public long? Count { get; set; }
    public ZcrmFields? AdditionalFields { get; set; }
    public override string ToString() => Type ?? "";
}

public sealed class ZcrmAttachment
{
    public string? Id { get; set; }
    public string? Name { get; set; }
    /// <summary>Bytes; sent by Zoho as a string ("24792").</summary>
    public long? Size { get; set; }
    public ZcrmFields? AdditionalFields { get; set; }
    public override string ToString() => $"{Name} ({Size} bytes)";
}
