namespace ZohoCrmEmails.Models;

public sealed class ZcrmLinkedRecord
{
    public string? Id { get; set; }
    public string? Name { get; set; }
    public ZcrmModuleRef? Module { get; set; }
    public ZcrmFields? AdditionalFields { get; set; }
    public override string ToString() => $"{Module?.ApiName}/{Id} {Name}".Trim();
}
