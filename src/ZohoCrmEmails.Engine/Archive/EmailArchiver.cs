using ZohoCrmEmails.Models;

namespace ZohoCrmEmails.Engine.Archive;

/// <summary>
/// Saves attachments and exports e-mails as .eml files into one <see cref="ArchiveFolder"/>, for one run: names
/// from the sender made safe and unique, files written whole or not at all, memory flat whatever the file size, and
/// every file in the folder's index.
/// </summary>
public sealed class EmailArchiver(ZcrmClient client, ArchiveFolder folder, ZcrmCallContext context)
{
    public ArchiveFolder Folder => folder;

    /// <summary>Bytes written as they are (negative when a download starts over), for a progress display.</summary>
    public IProgress<long>? Progress { get; init; }

    /// <summary>The e-mail as read in full (one request unless it was read already).</summary>
    public async Task<ZcrmEmail> ReadInFullAsync(EmailRequest request, CancellationToken ct) =>
        request.Listed is { HasContent: true } full
            ? full
            : await client.GetEmailAsync(request.Id.Module, request.Id.RecordId, request.Id.MessageId, request.OwnerId, context, ct).ConfigureAwait(false);

    /// <summary>
    /// The file an attachment will be saved to, taken now: callers reserve in input order (on one thread), so that
    /// which of two same-named files gets " (2)" does not depend on timing. Null when the attachment lists no usable
    /// name (the server's Content-Disposition then names it when it arrives). Zcrm.FileExists if the name is taken
    /// by a file from before the run.
    /// </summary>
    public string? ReserveAttachmentPath(AttachmentToSave item) =>
        SafeFileName.TryFrom(item.Attachment.Name) is { } listed ? folder.Reserve(listed, item.Key) : null;

    /// <summary>
    /// Saves one attachment to <paramref name="path"/> (from <see cref="ReserveAttachmentPath"/>) and indexes it. Null
    /// when another run saved it meanwhile.
    /// </summary>
    public Task<FileInfo?> SaveAttachmentAsync(AttachmentToSave item, string? path, CancellationToken ct)
    {
        var (email, attachment) = item;
        var id = attachment.Id ?? "";
        DownloadResult? download = null;
        return folder.WriteAsync(
            async (file, token) => download = await client.DownloadAttachmentAsync(email.Module, email.RecordId, email.MessageId, ZcrmClient.OwnerIdOf(email, null), id,
                attachment.Name, attachment.Size, file, Progress, context, token).ConfigureAwait(false),
            () => path ?? folder.Reserve(SafeFileName.From(download!.FileName, "attachment-" + id), item.Key),
            Row(item.Key, attachment.Name ?? "", email.Attachments?.Count),
            ct);
    }

    private static ArchiveEntry Row(ArchiveKey key, string attachmentName, int? attachments) => new(key, attachmentName, attachments, "", 0, "", default);

    /// <summary>The .eml file an e-mail read in full will be written to, taken now (in input order, as for attachments).</summary>
    public string ReserveEmlPath(ZcrmEmail full) => folder.Reserve(EmlFileName(full), new ArchiveKey(EmailId.Of(full)));

    /// <summary>
    /// Writes an e-mail read in full as one RFC 5322 .eml file at <paramref name="path"/> (from
    /// <see cref="ReserveEmlPath"/>), with its attachments unless <paramref name="includeAttachments"/> is false.
    /// </summary>
    public async Task<FileInfo?> ExportAsync(ZcrmEmail full, string path, bool includeAttachments, CancellationToken ct)
    {
        if (!full.HasContent)
            throw new ArgumentException("Read the e-mail in full first.", nameof(full));
        var parts = new List<DownloadedAttachment>();
        try
        {
            if (includeAttachments)
            {
                var inMemory = 0L;
                foreach (var attachment in full.Attachments ?? [])
                {
                    // Small attachments (within a budget per e-mail) are held in memory: a temporary file made and
                    // deleted for each costs more CPU than writing the .eml itself. Large ones stream through a file.
                    var held = attachment.Size is { } size && size >= 0 && size <= MaxInMemoryBytes - inMemory;
                    if (held) inMemory += attachment.Size!.Value;
                    parts.Add(await DownloadForEmlAsync(full, attachment, held, ct).ConfigureAwait(false));
                }
            }
            return await folder.WriteAsync((file, token) => EmlWriter.WriteAsync(full, parts, file, token), () => path, Row(new ArchiveKey(EmailId.Of(full)), "", null), ct)
                .ConfigureAwait(false);
        }
        finally
        {
            foreach (var part in parts) await part.Content.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>"2024-05-09 123312 Quote follow-up.eml": the e-mail's own time (as Zoho gave it) and its subject.</summary>
    public static string EmlFileName(ZcrmEmail email)
    {
        var stamp = (email.SentTime ?? email.Time)?.ToString("yyyy-MM-dd HHmmss", System.Globalization.CultureInfo.InvariantCulture) ?? "undated";
        var subject = SafeFileName.TryFrom(email.Subject);
        return SafeFileName.From(subject is null ? stamp + ".eml" : $"{stamp} {subject}.eml", "email.eml");
    }

    /// <summary>Attachment bytes one .eml being written may hold in memory; with 25 written at once, 50 MB at most.</summary>
    private const long MaxInMemoryBytes = 2 * 1024 * 1024;

    // In memory, or in a temporary file that is deleted when closed, so an .eml with large attachments is streamed.
    private async Task<DownloadedAttachment> DownloadForEmlAsync(ZcrmEmail email, ZcrmAttachment attachment, bool inMemory, CancellationToken ct)
    {
        var id = attachment.Id ?? "";
        Stream temporary = inMemory ? new MemoryStream((int)attachment.Size!.Value) : folder.CreateTemporary(deleteOnClose: true);
        try
        {
            var download = await client.DownloadAttachmentAsync(email.Module, email.RecordId, email.MessageId, ZcrmClient.OwnerIdOf(email, null), id,
                attachment.Name, attachment.Size, temporary, Progress, context, ct).ConfigureAwait(false);
            temporary.Position = 0;
            return new DownloadedAttachment(attachment.Name is { Length: > 0 } name ? name : download.FileName ?? "attachment-" + id, download.ContentType, temporary);
        }
        catch
        {
            await temporary.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }
}
