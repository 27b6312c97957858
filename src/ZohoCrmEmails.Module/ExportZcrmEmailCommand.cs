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

    /// <summary>Leave the attachments out of the .eml files (no download requests).</summary>
    [Parameter]
    public SwitchParameter NoAttachments { get; set; }

    protected override string Activity => "Exporting Zoho CRM e-mails";

    protected override IArchiveFlow CreateFlow() => new ExportFlow(this);

    /// <summary>Each e-mail read in full (unless it was), its .eml file's name taken in input order, the file written.</summary>
    private sealed class ExportFlow(ExportZcrmEmailCommand cmdlet) : ArchiveFlow<ZcrmEmail, (ZcrmEmail Email, string Path)>(cmdlet)
    {
        protected override Admission Admit(ArchiveItem item)
        {
            var (archiver, request) = (item.Archiver, item.Email);
            // Archived already: not even read again.
            if (archiver.Folder.ArchivedAlready(request.Key) is { } archived)
            {
                cmdlet.Skip(ErrorRecords.Describe(request), archiver, archived.Name);
                return Admission.Archived;
            }
            if (!cmdlet.FirstInRun(archiver, request.Key))
            {
                cmdlet.Skip(ErrorRecords.Describe(request), archiver, "(earlier in this run)");
                return Admission.Archived;
            }
            // A listed e-mail already has its time and subject, so its file name is known; one given by id is read first.
            var target = request.Listed is { } listed
                ? System.IO.Path.Combine(archiver.Folder.Directory, EmailArchiver.EmlFileName(listed))
                : $"{archiver.Folder.Directory} (the e-mail {request.Id.Module}/{request.Id.RecordId}/{request.Id.MessageId}, named after its time and subject)";
            return cmdlet.ShouldProcess(target, $"Export the e-mail '{request.Listed?.Subject ?? request.Id.MessageId}'") ? Admission.Proceed : Admission.Declined;
        }

        protected override IAsyncEnumerable<IReadOnlyList<ZcrmEmail>> FindAsync(ArchiveItem item, CancellationToken ct) =>
            OnePage.OfItem(() => item.Archiver.ReadInFullAsync(item.Email, ct));

        protected override void Take(ArchiveItem item, ZcrmEmail full)
        {
            string path;
            try
            {
                path = item.Archiver.ReserveEmlPath(full);
            }
            catch (ZcrmException ex)
            {
                item.Unfinished = true;
                cmdlet.ReportError(ex, full.MessageId, ErrorRecords.Describe(full));
                return;
            }
            Write(item, (full, path));
        }

        protected override Task<FileInfo?> WriteAsync(ArchiveItem item, (ZcrmEmail Email, string Path) write, CancellationToken ct) =>
            item.Archiver.ExportAsync(write.Email, write.Path, !cmdlet.NoAttachments, ct);

        protected override (object Target, string Item) Describe((ZcrmEmail Email, string Path) write) =>
            (write.Email.MessageId, ErrorRecords.Describe(write.Email));

        protected override void Written(ArchiveItem item, (ZcrmEmail Email, string Path) write, FileInfo? file) =>
            cmdlet.WriteFile(file, OutputTypeName, item.Archiver, write.Email, null, ErrorRecords.Describe(write.Email));
    }
}
