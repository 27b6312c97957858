using System.Management.Automation;
using ZohoCrmEmails.Archive;
using ZohoCrmEmails.Models;
using ZohoCrmEmails.Paging;

namespace ZohoCrmEmails.Module;

/// <summary>Writes e-mails as .eml files (RFC 5322) that any mail client opens.</summary>
[Cmdlet(VerbsData.Export, "ZcrmEmail", SupportsShouldProcess = true, DefaultParameterSetName = "Email")]
[OutputType(typeof(FileInfo))]
public sealed class ExportZcrmEmailCommand : ZcrmArchiveCmdletBase
{
    internal const string OutputTypeName = "ZohoCrmEmails.ExportedEmail";
    private OrderedFanOut<ZcrmEmail, ZcrmEmail>? _reads;
    private OrderedFanOut<(ZcrmEmail Email, string Path), FileInfo>? _writes;

    /// <summary>Leave the attachments out of the .eml files (no download requests).</summary>
    [Parameter]
    public SwitchParameter NoAttachments { get; set; }

    protected override string Activity => "Exporting Zoho CRM e-mails";

    protected override void BeginProcessing()
    {
        base.BeginProcessing();
        // Two stages: reading e-mails in full, then writing each file. Between them, on the pipeline thread and in
        // input order, each file's name is taken, so which of two same-named e-mails gets " (2)" never depends on
        // timing. Both stages draw on one request cap.
        _reads = new OrderedFanOut<ZcrmEmail, ZcrmEmail>(ItemsAtOnce, (email, ct) => Pages.OneItem(() => Archiver.ReadInFullAsync(email, ct)), CancelToken);
        _writes = new OrderedFanOut<(ZcrmEmail Email, string Path), FileInfo>(ItemsAtOnce,
            (write, ct) => Pages.OneItem(() => Archiver.ExportAsync(write.Email, write.Path, !NoAttachments, ct)), CancelToken);
    }

    protected override void ProcessRecord()
    {
        foreach (var email in CurrentEmails())
        {
            // A listed e-mail already has its time and subject, so its file name is known; one given by id is read first.
            var target = email.Time is null && email.SentTime is null
                ? $"{Folder.Directory} (the e-mail {email.Module}/{email.RecordId}/{email.MessageId}, named after its time and subject)"
                : System.IO.Path.Combine(Folder.Directory, EmailArchiver.EmlFileName(email));
            if (ShouldProcess(target, $"Export the e-mail '{email.Subject ?? email.MessageId}'"))
                DrainReads(_reads!.Add(email));
        }
    }

    protected override void EndProcessing()
    {
        DrainReads(_reads!.Complete());
        DrainWrites(_writes!.Complete());
        CompleteProgress();
    }

    private void DrainReads(IEnumerable<FanOutResult<ZcrmEmail, ZcrmEmail>> results) =>
        Drain(results, email => email.MessageId, email => ErrorRecords.Describe(email.Module, email.RecordId, email.MessageId), (_, full) =>
        {
            string path;
            try
            {
                path = Archiver.ReserveEmlPath(full);
            }
            catch (ZcrmException ex)
            {
                ReportError(ex, full.MessageId, ErrorRecords.Describe(full.Module, full.RecordId, full.MessageId));
                return;
            }
            DrainWrites(_writes!.Add((full, path)));
        });

    private void DrainWrites(IEnumerable<FanOutResult<(ZcrmEmail Email, string Path), FileInfo>> results) =>
        Drain(results, write => write.Email.MessageId, write => ErrorRecords.Describe(write.Email.Module, write.Email.RecordId, write.Email.MessageId), (write, file) => WriteFile(file, OutputTypeName, write.Email, null));

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _reads?.Dispose();
            _writes?.Dispose();
        }
        base.Dispose(disposing);
    }
}
