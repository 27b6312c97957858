namespace ZohoCrmEmails.Engine.Archive;

/// <summary>
/// One row of an archive's index (zcrm-index.csv): a file written, which item it is, and what its bytes were.
/// <see cref="Attachments"/> is, on an attachment's row, how many attachments its e-mail had when it was read, so that
/// a later run knows without a request when all of them are saved.
/// </summary>
public sealed record ArchiveEntry(ArchiveKey Key, string AttachmentName, int? Attachments, string Name, long Length, string Sha256, DateTimeOffset ArchivedAt);
