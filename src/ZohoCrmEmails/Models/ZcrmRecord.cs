namespace ZohoCrmEmails.Models;

/// <summary>
/// One CRM record as Get-ZcrmRecord finds it: its module, id and last modification, and the values of the fields asked
/// for by their API names. Pipes into every cmdlet that takes a record (Module and Id bind by property name).
/// </summary>
public sealed class ZcrmRecord
{
    /// <summary>The module the record was read from (not on the wire: set by the client).</summary>
    public string Module { get; set; } = "";
    /// <summary>The record id, digits kept as text (never rounded).</summary>
    public string Id { get; set; } = "";
    public DateTimeOffset? ModifiedTime { get; set; }
    /// <summary>
    /// The other fields Zoho returned, by API name: text, a whole or decimal number, a flag, a time (fields named
    /// …_Time), null, or an object or list (a lookup such as Owner) as a JsonElement, which prints as its JSON, so that
    /// no Export-Csv cell holds a type name.
    /// </summary>
    public ZcrmRecordFields Fields { get; set; } = [];

    public override string ToString() => $"{Module}/{Id}";
}
