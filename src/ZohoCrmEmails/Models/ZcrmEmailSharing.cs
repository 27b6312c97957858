namespace ZohoCrmEmails.Models;

/// <summary>Whose mailboxes' e-mails can be seen on a record, and which kinds.</summary>
public sealed class ZcrmEmailSharing
{
    public string Module { get; set; } = "";
    public string RecordId { get; set; } = "";
    public ZcrmList<string> AvailableTypes { get; set; } = [];
    public ZcrmList<ZcrmSharedUser> ShareFromUsers { get; set; } = [];
    public ZcrmFields? AdditionalFields { get; set; }
}
