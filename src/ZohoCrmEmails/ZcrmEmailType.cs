namespace ZohoCrmEmails;

/// <summary>The e-mail types Zoho filters a record's e-mails by.</summary>
public enum ZcrmEmailType
{
    SentFromCrm,
    ScheduledInCrm,
    Drafts,
    UserEmails,
    AllContactsSentCrmEmails,
    AllContactsScheduledCrmEmails,
    AllContactsDraftCrmEmails,
}
