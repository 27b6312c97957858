using System.Management.Automation;
using ZohoCrmEmails.Archive;
using ZohoCrmEmails.Models;
using ZohoCrmEmails.Paging;

namespace ZohoCrmEmails.Module;

/// <summary>Writes e-mails as .eml files (RFC 5322) that any mail client opens; what a folder holds already is skipped.</summary>
[Cmdlet(VerbsData.Export, "ZcrmEmail", SupportsShouldProcess = true, DefaultParameterSetName = "Email")]
[OutputType(typeof(FileInfo))]
public sealed class ExportZcrmEmailCommand : ZcrmArchiveCmdletBase
{
    internal const string OutputTypeName = "ZohoCrmEmails.ExportedEmail";
    private OrderedFanOut<(EmailArchiver Archiver, ZcrmEmail Email), ZcrmEmail>? _reads;
    private OrderedFanOut<(EmailArchiver Archiver, ZcrmEmail Email, string Path), FileInfo?>? _writes;

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
        _reads = new OrderedFanOut<(EmailArchiver Archiver, ZcrmEmail Email), ZcrmEmail>(ItemsAtOnce,
            (read, ct) => Pages.OneItem(() => read.Archiver.ReadInFullAsync(read.Email, ct)), CancelToken);
        _writes = new OrderedFanOut<(EmailArchiver Archiver, ZcrmEmail Email, string Path), FileInfo?>(ItemsAtOnce,
            (write, ct) => Pages.OneItem(() => write.Archiver.ExportAsync(write.Email, write.Path, !NoAttachments, ct)), CancelToken);
    }

    protected override void ProcessRecord()
    {
        foreach (var email in CurrentEmails())
        {
            var archiver = CurrentArchiver();
            // Archived already: not even read again.
            if (archiver.Folder.Skippable(EmailArchiver.KeyOf(email)) is { } archived)
            {
                Skip(Describe(email), archiver, archived.Name);
                continue;
            }
            if (!FirstInRun(archiver, EmailArchiver.KeyOf(email)))
            {
                Skip(Describe(email), archiver, "(earlier in this run)");
                continue;
            }
            // A listed e-mail already has its time and subject, so its file name is known; one given by id is read first.
            var target = email.Time is null && email.SentTime is null
                ? $"{archiver.Folder.Directory} (the e-mail {email.Module}/{email.RecordId}/{email.MessageId}, named after its time and subject)"
                : System.IO.Path.Combine(archiver.Folder.Directory, EmailArchiver.EmlFileName(email));
            if (ShouldProcess(target, $"Export the e-mail '{email.Subject ?? email.MessageId}'"))
                DrainReads(_reads!.Add((archiver, email)));
        }
    }

    protected override void EndProcessing()
    {
        DrainReads(_reads!.Complete());
        DrainWrites(_writes!.Complete());
        CompleteProgress();
    }

    private static string Describe(ZcrmEmail email) => ErrorRecords.Describe(email.Module, email.RecordId, email.MessageId);

    private void DrainReads(IEnumerable<FanOutResult<(EmailArchiver Archiver, ZcrmEmail Email), ZcrmEmail>> results) =>
        Drain(results, read => read.Email.MessageId, read => Describe(read.Email), (read, full) =>
        {
            string path;
            try
            {
                path = read.Archiver.ReserveEmlPath(full);
            }
            catch (ZcrmException ex)
            {
                ReportError(ex, full.MessageId, Describe(full));
                return;
            }
            DrainWrites(_writes!.Add((read.Archiver, full, path)));
        });

    private void DrainWrites(IEnumerable<FanOutResult<(EmailArchiver Archiver, ZcrmEmail Email, string Path), FileInfo?>> results) =>
        Drain(results, write => write.Email.MessageId, write => Describe(write.Email),
            (write, file) => WriteFile(file, OutputTypeName, write.Archiver, write.Email, null, Describe(write.Email)));

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
