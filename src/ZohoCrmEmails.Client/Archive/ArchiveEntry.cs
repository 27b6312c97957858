namespace ZohoCrmEmails.Archive;

/// <summary>What an archive's item is: an e-mail's .eml (no attachment id) or one of its attachments.</summary>
public readonly record struct ArchiveKey(string Module, string RecordId, string MessageId, string AttachmentId)
{
    public bool IsAttachment => AttachmentId.Length > 0;
    public override string ToString() => $"{Module}/{RecordId}/{MessageId}" + (IsAttachment ? "/" + AttachmentId : "");
}

/// <summary>
/// One row of an archive's index (zcrm-index.csv): a file written, where it came from, and what its bytes were.
/// <see cref="Attachments"/> is, on an attachment's row, how many attachments its e-mail had when it was read, so that
/// a later run knows without a request when all of them are saved.
/// </summary>
public sealed record ArchiveEntry(
    string Module, string RecordId, string MessageId, string AttachmentId, string AttachmentName, int? Attachments,
    string Name, long Length, string Sha256, DateTimeOffset ArchivedAt)
{
    public ArchiveKey Key => new(Module, RecordId, MessageId, AttachmentId);
}
