namespace ZohoCrmEmails.Engine;

/// <summary>Filters for listing a record's e-mails; null members are not sent.</summary>
public sealed record ZcrmEmailQuery(ZcrmEmailType? Type = null, string? OwnerId = null);
