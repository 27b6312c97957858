using ZohoCrmEmails.Models;

namespace ZohoCrmEmails.Engine.Archive;

/// <summary>
/// An e-mail to archive: one piped in as Get-ZcrmRecordEmail wrote it (<see cref="Listed"/>: its time, subject and
/// attachment flag are known before it is read), or one named by -MessageId, which is read in full first.
/// </summary>
public sealed record EmailRequest(EmailId Id, string? OwnerId, ZcrmEmail? Listed)
{
    /// <summary>A listed (or read) e-mail, with the owner's id its listing gave.</summary>
    public static EmailRequest Of(ZcrmEmail email) =>
        new(EmailId.Of(email), ZcrmClient.OwnerIdOf(email, null), email);

    public ArchiveKey Key => new(Id);

    /// <summary>Zoho listed it without attachments (false, not null: a null flag is unknown, and the e-mail is read).</summary>
    public bool ListedWithoutAttachments => Listed is { HasContent: false, HasAttachment: false };
}

/// <summary>One attachment to save, with the e-mail it belongs to.</summary>
public sealed record AttachmentToSave(ZcrmEmail Email, ZcrmAttachment Attachment)
{
    public ArchiveKey Key => new(EmailId.Of(Email), Attachment.Id ?? "");
}
