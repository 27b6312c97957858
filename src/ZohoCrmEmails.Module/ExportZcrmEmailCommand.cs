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
    private OrderedFanOut<ZcrmEmail, FileInfo>? _exports;

    /// <summary>Leave the attachments out of the .eml files (no download requests).</summary>
    [Parameter]
    public SwitchParameter NoAttachments { get; set; }

    protected override string Activity => "Exporting Zoho CRM e-mails";

    protected override void BeginProcessing()
    {
        base.BeginProcessing();
        _exports = new OrderedFanOut<ZcrmEmail, FileInfo>(ThrottleLimit, (email, ct) => Pages.OneItem(() => Archiver.ExportAsync(email, !NoAttachments, ct)), CancelToken);
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
                DrainExports(_exports!.Add(email));
        }
    }

    protected override void EndProcessing()
    {
        DrainExports(_exports!.Complete());
        CompleteProgress();
    }

    private void DrainExports(IEnumerable<FanOutResult<ZcrmEmail, FileInfo>> results) =>
        Drain(results, email => email.MessageId, (email, file) => WriteFile(file, OutputTypeName, email, null));

    protected override void Dispose(bool disposing)
    {
        if (disposing) _exports?.Dispose();
        base.Dispose(disposing);
    }
}
