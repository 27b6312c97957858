using System.Management.Automation;
using ZohoCrmEmails.Engine.Archive;
using ZohoCrmEmails.Engine.FanOut;
using ZohoCrmEmails.Models;

namespace ZohoCrmEmails.Module;

/// <summary>Saves the attachments of e-mails as files; what a folder holds already is skipped without a request.</summary>
[Cmdlet(VerbsData.Save, "ZcrmEmailAttachment", SupportsShouldProcess = true, DefaultParameterSetName = "Email")]
[OutputType(typeof(FileInfo))]
public sealed class SaveZcrmEmailAttachmentCommand : ZcrmArchiveCmdletBase
{
    internal const string OutputTypeName = "ZohoCrmEmails.SavedAttachment";
    private ArchiveStages<(AttachmentToSave Item, ArchiveEntry? Archived), (AttachmentToSave Item, string? Path)>? _stages;
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

    protected override void BeginProcessing()
    {
        base.BeginProcessing();
        _names = (Name ?? []).Select(n => new WildcardPattern(n, WildcardOptions.IgnoreCase | WildcardOptions.CultureInvariant)).ToArray();
        // Read each e-mail in full to learn its attachments; take each one's file name and ask ShouldProcess in input
        // order; download those confirmed.
        _stages = new ArchiveStages<(AttachmentToSave Item, ArchiveEntry? Archived), (AttachmentToSave Item, string? Path)>(this,
            AttachmentsOf,
            Take,
            (archiver, save, ct) => archiver.SaveAttachmentAsync(save.Item, save.Path, ct),
            save => (save.Item.Attachment, ErrorRecords.Describe(save.Item.Email, save.Item.Attachment)),
            (archiver, save, file) => WriteFile(file, OutputTypeName, archiver, save.Item.Email, save.Item.Attachment.Id,
                ErrorRecords.Describe(save.Item.Email, save.Item.Attachment)));
    }

    protected override void ProcessRecord()
    {
        foreach (var request in CurrentRequests())
        {
            var archiver = CurrentArchiver();
            if (AllSaved(archiver, request) is { } name)
            {
                Skip($"the attachments of {ErrorRecords.Describe(request)}", archiver, name);
                continue;
            }
            _stages!.Find(archiver, request);
        }
    }

    protected override void EndProcessing()
    {
        _stages!.Complete();
        CompleteProgress();
    }

    /// <summary>
    /// Whether the folder holds every attachment of the e-mail this run would save, without reading it: the index
    /// knows how many attachments the e-mail had when it was read, so "all saved" needs no request; with -AttachmentId,
    /// those ids saved is enough. An attachment a -Name filter passed over before is not saved, so then the e-mail is
    /// read again. The first file's name, for the message, or null.
    /// </summary>
    private string? AllSaved(EmailArchiver archiver, EmailRequest request)
    {
        if (Force) return null;
        var saved = archiver.Folder.Index.AttachmentsOf(request.Module, request.RecordId, request.MessageId)
            .Where(e => File.Exists(System.IO.Path.Combine(archiver.Folder.Directory, e.Name))).ToList();
        if (saved.Count == 0) return null;
        var all = saved.Max(e => e.Attachments) is { } count && saved.Count >= count;
        var chosen = AttachmentId is { } ids && ids.All(id => saved.Any(e => e.AttachmentId == id));
        return all || chosen ? saved[0].Name : null;
    }

    private void Take(EmailArchiver archiver, (AttachmentToSave Item, ArchiveEntry? Archived) found)
    {
        var item = found.Item;
        if (found.Archived is { } archived)
        {
            Skip(ErrorRecords.Describe(item.Email, item.Attachment), archiver, archived.Name);
            return;
        }
        if (!FirstInRun(archiver, item.Key))
        {
            Skip(ErrorRecords.Describe(item.Email, item.Attachment), archiver, "(earlier in this run)");
            return;
        }
        string? path;
        try
        {
            path = archiver.ReserveAttachmentPath(item);
        }
        catch (ZcrmException ex)
        {
            ReportError(ex, item.Attachment, ErrorRecords.Describe(item.Email, item.Attachment));
            return;
        }
        var target = path ?? System.IO.Path.Combine(archiver.Folder.Directory, "(named as the server sends it)");
        if (ShouldProcess(target, $"Save attachment '{item.Attachment.Name}' ({item.Attachment.Size} bytes) of the e-mail '{item.Email.Subject}'"))
            _stages!.Write(archiver, (item, path));
    }

    // An e-mail listed without attachments needs no request; any other (null: Zoho did not say) is read in full to learn
    // them. Attachments the folder holds already come back marked, to be skipped (and said) on the pipeline thread.
    private async IAsyncEnumerable<IReadOnlyList<(AttachmentToSave Item, ArchiveEntry? Archived)>> AttachmentsOf((EmailArchiver Archiver, EmailRequest Email) read,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        var (archiver, request) = read;
        if (request.ListedWithoutAttachments)
            yield break;
        var full = await archiver.ReadInFullAsync(request, ct).ConfigureAwait(false);
        var attachments = full.Attachments ?? [];
        yield return attachments
            .Where(a => (AttachmentId is null || AttachmentId.Contains(a.Id, StringComparer.Ordinal))
                        && (_names.Length == 0 || _names.Any(n => n.IsMatch(a.Name ?? ""))))
            .Select(a => new AttachmentToSave(full, a))
            .Select(item => (item, archiver.Folder.Skippable(item.Key)))
            .ToList();
        var missing = (AttachmentId ?? []).Where(id => !attachments.Any(a => a.Id == id)).ToList();
        if (missing.Count > 0)
            throw new ZcrmException(ZcrmErrorCodes.AttachmentNotFound, ZcrmErrorKind.NotFound,
                $"The e-mail '{full.MessageId}' has no attachment with the id {string.Join(", ", missing.Select(m => $"'{m}'"))}.");
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) _stages?.Dispose();
        base.Dispose(disposing);
    }
}
