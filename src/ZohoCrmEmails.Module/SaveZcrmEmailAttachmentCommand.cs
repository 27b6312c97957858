using System.Management.Automation;
using ZohoCrmEmails.Engine.Archive;

namespace ZohoCrmEmails.Module;

/// <summary>Saves the attachments of e-mails as files; what a folder holds already is skipped without a request.</summary>
[Cmdlet(VerbsData.Save, "ZcrmEmailAttachment", SupportsShouldProcess = true, DefaultParameterSetName = "Email")]
[OutputType(typeof(FileInfo))]
public sealed class SaveZcrmEmailAttachmentCommand : ZcrmArchiveCmdletBase
{
    internal const string OutputTypeName = "ZohoCrmEmails.SavedAttachment";
    private WildcardPattern[] _names = [];

    /// <summary>Only attachments whose name matches one of these wildcards.</summary>
    [Parameter]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[]? Name { get; set; }

    /// <summary>Only these attachments (ids from an e-mail's Attachments).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[]? AttachmentId { get; set; }

    protected override string Activity => "Saving Zoho CRM e-mail attachments";

    protected override IArchiveFlow CreateFlow()
    {
        _names = (Name ?? []).Select(n => new WildcardPattern(n, WildcardOptions.IgnoreCase | WildcardOptions.CultureInvariant)).ToArray();
        return new SaveFlow(this);
    }

    /// <summary>
    /// Each e-mail read in full to learn its attachments (none for one listed without), each attachment's file name taken
    /// and ShouldProcess asked in input order, the files confirmed downloaded.
    /// </summary>
    private sealed class SaveFlow(SaveZcrmEmailAttachmentCommand cmdlet)
        : ArchiveFlow<(AttachmentToSave Item, ArchiveEntry? Archived), (AttachmentToSave Item, string? Path)>(cmdlet)
    {
        protected override Admission Admit(ArchiveItem item)
        {
            var request = item.Email;
            if (item.Archiver.Folder.AllAttachmentsArchived(request.Id, cmdlet.AttachmentId) is not { } name)
                return Admission.Proceed;
            cmdlet.Skip($"the attachments of {ErrorRecords.Describe(item.Email)}", item.Archiver, name);
            return Admission.Archived;
        }

        // An e-mail listed without attachments needs no request; any other (null: Zoho did not say) is read in full to
        // learn them. Attachments the folder holds already come back marked, to be skipped (and said) on the pipeline thread.
        protected override async IAsyncEnumerable<IReadOnlyList<(AttachmentToSave Item, ArchiveEntry? Archived)>> FindAsync(ArchiveItem item,
            [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
        {
            var (archiver, request) = (item.Archiver, item.Email);
            if (request.ListedWithoutAttachments)
                yield break;
            var full = await archiver.ReadInFullAsync(request, ct).ConfigureAwait(false);
            var attachments = full.Attachments ?? [];
            yield return attachments
                .Where(a => (cmdlet.AttachmentId is null || cmdlet.AttachmentId.Contains(a.Id, StringComparer.Ordinal))
                            && (cmdlet._names.Length == 0 || cmdlet._names.Any(n => n.IsMatch(a.Name ?? ""))))
                .Select(a => new AttachmentToSave(full, a))
                .Select(save => (save, archiver.Folder.ArchivedAlready(save.Key)))
                .ToList();
            var missing = (cmdlet.AttachmentId ?? []).Where(id => !attachments.Any(a => a.Id == id)).ToList();
            if (missing.Count > 0)
                throw new ZcrmException(ZcrmErrorCodes.AttachmentNotFound, ZcrmErrorKind.NotFound,
                    $"The e-mail has no attachment with the id {string.Join(", ", missing.Select(m => $"'{m}'"))}.");
        }

        protected override void Take(ArchiveItem item, (AttachmentToSave Item, ArchiveEntry? Archived) found)
        {
            var (save, archiver) = (found.Item, item.Archiver);
            if (found.Archived is { } archived)
            {
                cmdlet.Skip(ErrorRecords.Describe(save.Email, save.Attachment), archiver, archived.Name);
                return;
            }
            if (!cmdlet.FirstInRun(archiver, save.Key))
            {
                cmdlet.Skip(ErrorRecords.Describe(save.Email, save.Attachment), archiver, "(earlier in this run)");
                return;
            }
            string? path;
            try
            {
                path = archiver.ReserveAttachmentPath(save);
            }
            catch (ZcrmException ex)
            {
                item.Unfinished = true;
                cmdlet.ReportError(ex, save.Attachment, ErrorRecords.Describe(save.Email, save.Attachment));
                return;
            }
            var target = path ?? System.IO.Path.Combine(archiver.Folder.Directory, "(named as the server sends it)");
            if (cmdlet.ShouldProcess(target, $"Save attachment '{save.Attachment.Name}' ({save.Attachment.Size} bytes) of the e-mail '{save.Email.Subject}'"))
                Write(item, (save, path));
            else
                item.Unfinished = true;
        }

        protected override Task<FileInfo?> WriteAsync(ArchiveItem item, (AttachmentToSave Item, string? Path) write, CancellationToken ct) =>
            item.Archiver.SaveAttachmentAsync(write.Item, write.Path, ct);

        protected override (object Target, string Item) Describe((AttachmentToSave Item, string? Path) write) =>
            (write.Item.Attachment, ErrorRecords.Describe(write.Item.Email, write.Item.Attachment));

        protected override void Written(ArchiveItem item, (AttachmentToSave Item, string? Path) write, FileInfo? file) =>
            cmdlet.WriteFile(file, OutputTypeName, item.Archiver, write.Item.Email, write.Item.Attachment.Id,
                ErrorRecords.Describe(write.Item.Email, write.Item.Attachment));
    }
}
