namespace ZohoCrmEmails.Models;

public sealed class ZcrmEmailAddress
{
    public string? Name { get; set; }
    public string? Email { get; set; }
    public ZcrmFields? AdditionalFields { get; set; }

    public override string ToString() => string.IsNullOrEmpty(Name) ? Email ?? "" : $"{Name} <{Email}>";
}
