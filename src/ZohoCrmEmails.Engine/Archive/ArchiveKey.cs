namespace ZohoCrmEmails.Engine.Archive;

/// <summary>What an archive's item is: an e-mail's .eml (no attachment id) or one of its attachments.</summary>
public readonly record struct ArchiveKey(EmailId Email, string AttachmentId = "")
{
    public bool IsAttachment => AttachmentId.Length > 0;
    public override string ToString() => IsAttachment ? $"{Email}, attachment id '{SecretRedactor.Shorten(AttachmentId, 48)}'" : Email.ToString();
}
