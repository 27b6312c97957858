using System.Management.Automation;
using ZohoCrmEmails.Archive;
using ZohoCrmEmails.Models;
using ZohoCrmEmails.Paging;

namespace ZohoCrmEmails.Module;

/// <summary>Saves the attachments of e-mails as files.</summary>
[Cmdlet(VerbsData.Save, "ZcrmEmailAttachment", SupportsShouldProcess = true, DefaultParameterSetName = "Email")]
[OutputType(typeof(FileInfo))]
public sealed class SaveZcrmEmailAttachmentCommand : ZcrmArchiveCmdletBase
{
    internal const string OutputTypeName = "ZohoCrmEmails.SavedAttachment";
    private OrderedFanOut<ZcrmEmail, EmailAttachment>? _attachments;
    private OrderedFanOut<(EmailAttachment Item, string? Path), FileInfo>? _saves;
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
        _attachments = new OrderedFanOut<ZcrmEmail, EmailAttachment>(ItemsAtOnce, AttachmentsOf, CancelToken);
        _saves = new OrderedFanOut<(EmailAttachment Item, string? Path), FileInfo>(ItemsAtOnce,
            (save, ct) => Pages.OneItem(() => Archiver.SaveAttachmentAsync(save.Item, save.Path, ct)), CancelToken);
    }

    protected override void ProcessRecord()
    {
        foreach (var email in CurrentEmails())
            DrainAttachments(_attachments!.Add(email));
    }

    protected override void EndProcessing()
    {
        DrainAttachments(_attachments!.Complete());
        DrainSaves(_saves!.Complete());
        CompleteProgress();
    }

    private void DrainAttachments(IEnumerable<FanOutResult<ZcrmEmail, EmailAttachment>> results) =>
        Drain(results, email => email.MessageId, email => ErrorRecords.Describe(email.Module, email.RecordId, email.MessageId), (_, item) =>
        {
            string? path;
            try
            {
                path = Archiver.ReserveAttachmentPath(item);
            }
            catch (ZcrmException ex)
            {
                ReportError(ex, item.Attachment, ErrorRecords.Describe(item.Email, item.Attachment));
                return;
            }
            var target = path ?? System.IO.Path.Combine(Folder.Directory, "(named as the server sends it)");
            if (ShouldProcess(target, $"Save attachment '{item.Attachment.Name}' ({item.Attachment.Size} bytes) of the e-mail '{item.Email.Subject}'"))
                DrainSaves(_saves!.Add((item, path)));
        });

    private void DrainSaves(IEnumerable<FanOutResult<(EmailAttachment Item, string? Path), FileInfo>> results) =>
        Drain(results, save => save.Item.Attachment, save => ErrorRecords.Describe(save.Item.Email, save.Item.Attachment), (save, file) => WriteFile(file, OutputTypeName, save.Item.Email, save.Item.Attachment.Id));

    // An e-mail listed without attachments needs no request; any other (null: Zoho did not say) is read in full to learn them.
    private async IAsyncEnumerable<IReadOnlyList<EmailAttachment>> AttachmentsOf(ZcrmEmail email, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        if (!email.HasContent && email.HasAttachment == false)
            yield break;
        var full = await Archiver.ReadInFullAsync(email, ct).ConfigureAwait(false);
        var attachments = full.Attachments ?? [];
        yield return attachments
            .Where(a => (AttachmentId is null || AttachmentId.Contains(a.Id, StringComparer.Ordinal))
                        && (_names.Length == 0 || _names.Any(n => n.IsMatch(a.Name ?? ""))))
            .Select(a => new EmailAttachment(full, a))
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
