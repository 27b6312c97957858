using ZohoCrmEmails.Models;

namespace ZohoCrmEmails.Engine.Json;

/// <summary>One page of a record's e-mails.</summary>
public sealed record ZcrmEmailPage(IReadOnlyList<ZcrmEmail> Emails, ZcrmPageInfo? Info)
{
    public bool MoreRecords => Info?.MoreRecords == true;
    public string? NextIndex => Info?.NextIndex;
}
