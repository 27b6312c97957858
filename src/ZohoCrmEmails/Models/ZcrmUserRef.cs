namespace ZohoCrmEmails.Models;

public sealed class ZcrmUserRef
{
    public string? Id { get; set; }
    public string? Name { get; set; }
    public ZcrmFields? AdditionalFields { get; set; }
    public override string ToString() => Name ?? Id ?? "";
}
