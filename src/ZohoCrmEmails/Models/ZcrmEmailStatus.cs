namespace ZohoCrmEmails.Models;

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
