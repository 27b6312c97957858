namespace ZohoCrmEmails.Models;

public sealed class ZcrmAttachment
{
    public string? Id { get; set; }
    public string? Name { get; set; }
    /// <summary>Bytes; sent by Zoho as a string ("24792").</summary>
    public long? Size { get; set; }
    public ZcrmFields? AdditionalFields { get; set; }
    public override string ToString() => $"{Name} ({Size} bytes)";
}
