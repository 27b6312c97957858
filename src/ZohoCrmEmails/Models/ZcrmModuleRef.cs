namespace ZohoCrmEmails.Models;

public sealed class ZcrmModuleRef
{
    public string? ApiName { get; set; }
    public string? Id { get; set; }
    public ZcrmFields? AdditionalFields { get; set; }
    public override string ToString() => ApiName ?? Id ?? "";
}
