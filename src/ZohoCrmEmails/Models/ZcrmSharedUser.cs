namespace ZohoCrmEmails.Models;

/// <summary>A user whose mailbox's e-mails can be shared on a record.</summary>
public sealed class ZcrmSharedUser
{
    public string? Id { get; set; }
    public string? Name { get; set; }
    public string? Type { get; set; }
    public ZcrmFields? AdditionalFields { get; set; }
    public override string ToString() => $"{Name} ({Type})";
}
