namespace ZohoCrmEmails.Engine;

/// <summary>Filters for listing a record's e-mails; null members are not sent.</summary>
public sealed record ZcrmEmailQuery(ZcrmEmailType? Type = null, string? OwnerId = null);

public static class ZcrmEmailTypeExtensions
{
    public static string ToWireName(this ZcrmEmailType type) => type switch
    {
        ZcrmEmailType.SentFromCrm => "sent_from_crm",
        ZcrmEmailType.ScheduledInCrm => "scheduled_in_crm",
        ZcrmEmailType.Drafts => "drafts",
        ZcrmEmailType.UserEmails => "user_emails",
        ZcrmEmailType.AllContactsSentCrmEmails => "all_contacts_sent_crm_emails",
        ZcrmEmailType.AllContactsScheduledCrmEmails => "all_contacts_scheduled_crm_emails",
        ZcrmEmailType.AllContactsDraftCrmEmails => "all_contacts_draft_crm_emails",
        _ => throw new ArgumentOutOfRangeException(nameof(type)),
    };

    public static bool IsAccountsOnly(this ZcrmEmailType type) =>
        type is ZcrmEmailType.AllContactsSentCrmEmails or ZcrmEmailType.AllContactsScheduledCrmEmails or ZcrmEmailType.AllContactsDraftCrmEmails;
}
