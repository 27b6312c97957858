namespace ZohoCrmEmails.Engine.Archive;

/// <summary>What an archive's item is: an e-mail's .eml (no attachment id) or one of its attachments.</summary>
public readonly record struct ArchiveKey(EmailId Email, string AttachmentId = "")
{
    public bool IsAttachment => AttachmentId.Length > 0;
    public override string ToString() => IsAttachment ? $"{Email}, attachment id '{SecretRedactor.Shorten(AttachmentId, 48)}'" : Email.ToString();
}

/// <summary>
/// One row of an archive's index (zcrm-index.csv): a file written, which item it is, and what its bytes were.
/// <see cref="Attachments"/> is, on an attachment's row, how many attachments its e-mail had when it was read, so that
/// a later run knows without a request when all of them are saved.
/// </summary>
public sealed record ArchiveEntry(ArchiveKey Key, string AttachmentName, int? Attachments, string Name, long Length, string Sha256, DateTimeOffset ArchivedAt);
