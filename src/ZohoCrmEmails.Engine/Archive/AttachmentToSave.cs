using ZohoCrmEmails.Models;

namespace ZohoCrmEmails.Engine.Archive;

/// <summary>One attachment to save, with the e-mail it belongs to.</summary>
public sealed record AttachmentToSave(ZcrmEmail Email, ZcrmAttachment Attachment)
{
    public ArchiveKey Key => new(EmailId.Of(Email), Attachment.Id ?? "");
}
