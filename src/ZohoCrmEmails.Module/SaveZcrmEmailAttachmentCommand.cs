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
    private OrderedFanOut<(EmailArchiver Archiver, EmailRequest Email), (EmailAttachment Item, ArchiveEntry? Archived)>? _attachments;
    private OrderedFanOut<(EmailArchiver Archiver, EmailAttachment Item, string? Path), FileInfo?>? _saves;
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
        // Two stages: reading e-mails in full to learn their attachments, then downloading those confirmed. Between
        // them, on the pipeline thread and in input order, each file's name is taken and ShouldProcess asked. Both
        // stages draw on one request cap.
        _attachments = new OrderedFanOut<(EmailArchiver Archiver, EmailRequest Email), (EmailAttachment Item, ArchiveEntry? Archived)>(ItemsAtOnce,
            AttachmentsOf, CancelToken);
        _saves = new OrderedFanOut<(EmailArchiver Archiver, EmailAttachment Item, string? Path), FileInfo?>(ItemsAtOnce,
            (save, ct) => Pages.OneItem(() => save.Archiver.SaveAttachmentAsync(save.Item, save.Path, ct)), CancelToken);
    }

    protected override void ProcessRecord()
    {
        foreach (var request in CurrentRequests())
        {
            var archiver = CurrentArchiver();
            if (AllSaved(archiver, request) is { } name)
            {
                Skip($"the attachments of {Describe(request)}", archiver, name);
                continue;
            }
            DrainAttachments(_attachments!.Add((archiver, request)));
        }
    }

    protected override void EndProcessing()
    {
        DrainAttachments(_attachments!.Complete());
        DrainSaves(_saves!.Complete());
        CompleteProgress();
    }

    private static string Describe(EmailRequest request) => ErrorRecords.Describe(request.Module, request.RecordId, request.MessageId);

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

    private void DrainAttachments(IEnumerable<FanOutResult<(EmailArchiver Archiver, EmailRequest Email), (EmailAttachment Item, ArchiveEntry? Archived)>> results) =>
        Drain(results, read => read.Email.MessageId, read => Describe(read.Email), (read, found) =>
        {
            var item = found.Item;
            if (found.Archived is { } archived)
            {
                Skip(ErrorRecords.Describe(item.Email, item.Attachment), read.Archiver, archived.Name);
                return;
            }
            if (!FirstInRun(read.Archiver, item.Key))
            {
                Skip(ErrorRecords.Describe(item.Email, item.Attachment), read.Archiver, "(earlier in this run)");
                return;
            }
            string? path;
            try
            {
                path = read.Archiver.ReserveAttachmentPath(item);
            }
            catch (ZcrmException ex)
            {
                ReportError(ex, item.Attachment, ErrorRecords.Describe(item.Email, item.Attachment));
                return;
            }
            var target = path ?? System.IO.Path.Combine(read.Archiver.Folder.Directory, "(named as the server sends it)");
            if (ShouldProcess(target, $"Save attachment '{item.Attachment.Name}' ({item.Attachment.Size} bytes) of the e-mail '{item.Email.Subject}'"))
                DrainSaves(_saves!.Add((read.Archiver, item, path)));
        });

    private void DrainSaves(IEnumerable<FanOutResult<(EmailArchiver Archiver, EmailAttachment Item, string? Path), FileInfo?>> results) =>
        Drain(results, save => save.Item.Attachment, save => ErrorRecords.Describe(save.Item.Email, save.Item.Attachment),
            (save, file) => WriteFile(file, OutputTypeName, save.Archiver, save.Item.Email, save.Item.Attachment.Id,
                ErrorRecords.Describe(save.Item.Email, save.Item.Attachment)));

    // An e-mail listed without attachments needs no request; any other (null: Zoho did not say) is read in full to learn
    // them. Attachments the folder holds already come back marked, to be skipped (and said) on the pipeline thread.
    private async IAsyncEnumerable<IReadOnlyList<(EmailAttachment Item, ArchiveEntry? Archived)>> AttachmentsOf((EmailArchiver Archiver, EmailRequest Email) read,
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
            .Select(a => new EmailAttachment(full, a))
            .Select(item => (item, archiver.Folder.Skippable(item.Key)))
            .ToList();
        var missing = (AttachmentId ?? []).Where(id => !attachments.Any(a => a.Id == id)).ToList();
        if (missing.Count > 0)
            throw new ZcrmException(ZcrmErrorCodes.AttachmentNotFound, ZcrmErrorKind.NotFound,
                $"The e-mail '{full.MessageId}' has no attachment with the id {string.Join(", ", missing.Select(m => $"'{m}'"))}.");
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _attachments?.Dispose();
            _saves?.Dispose();
        }
        base.Dispose(disposing);
    }
}
