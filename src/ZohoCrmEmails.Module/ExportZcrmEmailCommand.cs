using System.Management.Automation;
using ZohoCrmEmails.Engine.Archive;
using ZohoCrmEmails.Engine.FanOut;
using ZohoCrmEmails.Models;

namespace ZohoCrmEmails.Module;

/// <summary>Writes e-mails as .eml files (RFC 5322) that any mail client opens; what a folder holds already is skipped.</summary>
[Cmdlet(VerbsData.Export, "ZcrmEmail", SupportsShouldProcess = true, DefaultParameterSetName = "Email")]
[OutputType(typeof(FileInfo))]
public sealed class ExportZcrmEmailCommand : ZcrmArchiveCmdletBase
{
    internal const string OutputTypeName = "ZohoCrmEmails.ExportedEmail";
    private OrderedFanOut<(EmailArchiver Archiver, EmailRequest Email), ZcrmEmail>? _reads;
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
        _reads = new OrderedFanOut<(EmailArchiver Archiver, EmailRequest Email), ZcrmEmail>(ItemsAtOnce,
            (read, ct) => Pages.OneItem(() => read.Archiver.ReadInFullAsync(read.Email, ct)), CancelToken);
        _writes = new OrderedFanOut<(EmailArchiver Archiver, ZcrmEmail Email, string Path), FileInfo?>(ItemsAtOnce,
            (write, ct) => Pages.OneItem(() => write.Archiver.ExportAsync(write.Email, write.Path, !NoAttachments, ct)), CancelToken);
    }

    protected override void ProcessRecord()
    {
        foreach (var request in CurrentRequests())
        {
            var archiver = CurrentArchiver();
            // Archived already: not even read again.
            if (archiver.Folder.Skippable(request.Key) is { } archived)
            {
                Skip(Describe(request), archiver, archived.Name);
                continue;
            }
            if (!FirstInRun(archiver, request.Key))
            {
                Skip(Describe(request), archiver, "(earlier in this run)");
                continue;
            }
            // A listed e-mail already has its time and subject, so its file name is known; one given by id is read first.
            var target = request.Listed is { } listed
                ? System.IO.Path.Combine(archiver.Folder.Directory, EmailArchiver.EmlFileName(listed))
                : $"{archiver.Folder.Directory} (the e-mail {request.Module}/{request.RecordId}/{request.MessageId}, named after its time and subject)";
            if (ShouldProcess(target, $"Export the e-mail '{request.Listed?.Subject ?? request.MessageId}'"))
                DrainReads(_reads!.Add((archiver, request)));
        }
    }

    protected override void EndProcessing()
    {
        DrainReads(_reads!.Complete());
        DrainWrites(_writes!.Complete());
        CompleteProgress();
    }

    private static string Describe(ZcrmEmail email) => ErrorRecords.Describe(email.Module, email.RecordId, email.MessageId);
    private static string Describe(EmailRequest request) => ErrorRecords.Describe(request.Module, request.RecordId, request.MessageId);

    private void DrainReads(IEnumerable<FanOutResult<(EmailArchiver Archiver, EmailRequest Email), ZcrmEmail>> results) =>
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
