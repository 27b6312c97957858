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
    private ArchiveStages<ZcrmEmail, (ZcrmEmail Email, string Path)>? _stages;

    /// <summary>Leave the attachments out of the .eml files (no download requests).</summary>
    [Parameter]
    public SwitchParameter NoAttachments { get; set; }

    protected override string Activity => "Exporting Zoho CRM e-mails";

    protected override void BeginProcessing()
    {
        base.BeginProcessing();
        // Read each e-mail in full; take its file's name in input order; write it.
        _stages = new ArchiveStages<ZcrmEmail, (ZcrmEmail Email, string Path)>(this,
            (find, ct) => Pages.OneItem(() => find.Archiver.ReadInFullAsync(find.Email, ct)),
            Take,
            (archiver, write, ct) => archiver.ExportAsync(write.Email, write.Path, !NoAttachments, ct),
            write => (write.Email.MessageId, ErrorRecords.Describe(write.Email)),
            (archiver, write, file) => WriteFile(file, OutputTypeName, archiver, write.Email, null, ErrorRecords.Describe(write.Email)));
    }

    protected override void ProcessRecord()
    {
        foreach (var request in CurrentRequests())
        {
            var archiver = CurrentArchiver();
            // Archived already: not even read again.
            if (archiver.Folder.Skippable(request.Key) is { } archived)
            {
                Skip(ErrorRecords.Describe(request), archiver, archived.Name);
                continue;
            }
            if (!FirstInRun(archiver, request.Key))
            {
                Skip(ErrorRecords.Describe(request), archiver, "(earlier in this run)");
                continue;
            }
            // A listed e-mail already has its time and subject, so its file name is known; one given by id is read first.
            var target = request.Listed is { } listed
                ? System.IO.Path.Combine(archiver.Folder.Directory, EmailArchiver.EmlFileName(listed))
                : $"{archiver.Folder.Directory} (the e-mail {request.Module}/{request.RecordId}/{request.MessageId}, named after its time and subject)";
            if (ShouldProcess(target, $"Export the e-mail '{request.Listed?.Subject ?? request.MessageId}'"))
                _stages!.Find(archiver, request);
        }
    }

    protected override void EndProcessing()
    {
        _stages!.Complete();
        CompleteProgress();
    }

    private void Take(EmailArchiver archiver, ZcrmEmail full)
    {
        string path;
        try
        {
            path = archiver.ReserveEmlPath(full);
        }
        catch (ZcrmException ex)
        {
            ReportError(ex, full.MessageId, ErrorRecords.Describe(full));
            return;
        }
        _stages!.Write(archiver, (full, path));
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) _stages?.Dispose();
        base.Dispose(disposing);
    }
}
