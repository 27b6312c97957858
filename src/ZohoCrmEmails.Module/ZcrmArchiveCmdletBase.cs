using System.Management.Automation;
using ZohoCrmEmails.Engine.Archive;
using ZohoCrmEmails.Engine;
using ZohoCrmEmails.Models;

namespace ZohoCrmEmails.Module;

/// <summary>
/// What Save-ZcrmEmailAttachment and Export-ZcrmEmail share: e-mails from the pipeline (or -Module/-RecordId/-MessageId),
/// destination folders resolved the way Export-Csv resolves -Path (one per e-mail with a script block), each with its
/// index, so that what a folder holds already is skipped without a request; -Force, -ThrottleLimit, FileInfo output
/// carrying the Zoho ids, and progress in files, bytes and items skipped.
/// </summary>
public abstract partial class ZcrmArchiveCmdletBase : ZcrmDataCmdletBase
{
    private const string EmailSet = "Email";
    private const string IdSet = "Id";
    // One archiver per folder, however -Path spells it ("./a", "a", "~/a"): one set of reserved names, one run there.
    private readonly Dictionary<string, EmailArchiver> _archivers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, EmailArchiver> _byPath = new(StringComparer.Ordinal);
    private readonly HashSet<(string Folder, ArchiveKey Key)> _taken = [];
    private ZcrmClient _client = null!;
    private ZcrmCallContext _context = null!;
    private bool _whatIf;
    private long _bytesWritten;
    private long _filesWritten;
    private long _skipped;

    /// <summary>E-mails as Get-ZcrmRecordEmail writes them: listed ones are read in full when needed.</summary>
    [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = EmailSet)]
    [ValidateNotNull]
    public ZcrmEmail? InputObject { get; set; }

    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true, ParameterSetName = IdSet)]
    [Alias("ModuleApiName")]
    [AllowEmptyString]
    [ArgumentCompleter(typeof(ModuleNameCompleter))]
    public string Module { get; set; } = "";

    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true, ParameterSetName = IdSet)]
    [Alias("Id", "Record Id")]
    [AllowEmptyString]
    [RecordIdTransformation]
    public string RecordId { get; set; } = "";

    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true, ParameterSetName = IdSet)]
    [AllowEmptyString]
    public string[] MessageId { get; set; } = [];

    /// <summary>The mailbox owner's id for -MessageId input (a shared user's e-mail); a piped e-mail carries its own.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true, ParameterSetName = IdSet)]
    public string? OwnerId { get; set; }

    /// <summary>
    /// The destination folder; created when missing. Takes pipeline input by property name so that a script block is
    /// evaluated for each e-mail (delay-bind): -Path { "./deals/$($_.RecordId)" } gives each record a folder of its own.
    /// </summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = "";

    /// <summary>Archive again what the folder's index holds, and replace files it does not know.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary>
    /// E-mails (or files) a stage holds at once: twice the requests allowed, so that those done behind a slow one (an
    /// e-mail with large attachments, handed out in input order) do not keep the next from starting. Requests stay
    /// capped by -ThrottleLimit and the connection either way.
    /// </summary>
    protected int ItemsAtOnce => Throttle * 2;


    protected override void BeginProcessing()
    {
        (_client, _context) = Open();
        _whatIf = MyInvocation.BoundParameters.TryGetValue("WhatIf", out var w) ? w is SwitchParameter { IsPresent: true }
            : GetVariableValue("WhatIfPreference") is true or SwitchParameter { IsPresent: true };
    }

    /// <summary>
    /// The archiver of the current input's folder (-Path as bound for it), made on first use. A run that may write
    /// starts there at once: what dead runs left in that folder is finished and cleared, even if nothing is new.
    /// </summary>
    protected EmailArchiver CurrentArchiver()
    {
        if (_byPath.TryGetValue(Path, out var archiver)) return archiver;
        var directory = ArchiveFolder.FullPath(ResolveFolder());
        if (_archivers.TryGetValue(directory, out archiver)) return _byPath[Path] = archiver;
        var folder = new ArchiveFolder(directory, Force);
        archiver = new EmailArchiver(_client, folder, _context) { Progress = new BytesCounter(this) };
        _archivers[directory] = _byPath[Path] = archiver;
        if (!_whatIf)
        {
            try
            {
                folder.BeginRun();
            }
            catch (ZcrmException ex)
            {
                ThrowTerminatingError(ErrorRecords.From(ex, Path, folder.Directory, Redact));
            }
        }
        return archiver;
    }

    /// <summary>The e-mails of the current input: the piped e-mail, or one request per -MessageId, to be read in full.</summary>
    protected IEnumerable<EmailRequest> CurrentRequests()
    {
        if (ParameterSetName == EmailSet) return [EmailRequest.Of(InputObject!)];
        if (RecordIdTransformationAttribute.Missing(RecordId) is { } missing)
        {
            ReportError(missing, null, Module);
            return [];
        }
        var owner = string.IsNullOrEmpty(OwnerId) ? null : OwnerId;
        try
        {
            InputValidator.OwnerId(owner);
        }
        catch (ZcrmException ex)
        {
            ReportError(ex, OwnerId, ErrorRecords.Describe(Module, RecordId));
            return [];
        }
        return MessageId.Select(m => new EmailRequest(Module, RecordId, m, owner, null));
    }

    /// <summary>False for an item this run has taken for the folder before (an e-mail piped twice): it is archived once.</summary>
    protected bool FirstInRun(EmailArchiver archiver, ArchiveKey key) => _taken.Add((archiver.Folder.Directory, key));

    /// <summary>An item the folder holds already: not fetched, not written, not output; said on -Verbose, counted in the progress.</summary>
    protected void Skip(string what, EmailArchiver archiver, string name)
    {
        Interlocked.Increment(ref _skipped);
        WriteVerbose(Redact($"Skipped {what}: archived already as '{name}' in {archiver.Folder.Directory} (zcrm-index.csv; -Force archives it again)."));
        ShowProgress(false);
    }

    // A folder of the file system, as Export-Csv resolves -Path; anything else ends the run (terminating Zcrm.InvalidPath).
    private string ResolveFolder()
    {
        try
        {
            var resolved = ResolveFileSystemPath(Path);
            if (File.Exists(resolved)) throw InvalidPath($"'{resolved}' is a file; give a folder.");
            return resolved;
        }
        catch (ZcrmException ex)
        {
            ThrowTerminatingError(ErrorRecords.From(ex, Path, null, Redact));
            throw;
        }
    }

    /// <summary>
    /// The file as output: a FileInfo (so Measure-Object Length and Remove-Item just work) with the Zoho ids. A file
    /// another run archived meanwhile (null) is a skip.
    /// </summary>
    protected void WriteFile(FileInfo? file, string typeName, EmailArchiver archiver, ZcrmEmail email, string? attachmentId, string what)
    {
        if (file is null)
        {
            Skip(what, archiver, "(by another run, meanwhile)");
            return;
        }
        Interlocked.Increment(ref _filesWritten);
        var output = PSObject.AsPSObject(file);
        output.TypeNames.Insert(0, typeName);
        output.Properties.Add(new PSNoteProperty("PSPath", @"Microsoft.PowerShell.Core\FileSystem::" + file.FullName));
        output.Properties.Add(new PSNoteProperty("Module", email.Module));
        output.Properties.Add(new PSNoteProperty("RecordId", email.RecordId));
        output.Properties.Add(new PSNoteProperty("MessageId", email.MessageId));
        if (attachmentId is not null) output.Properties.Add(new PSNoteProperty("AttachmentId", attachmentId));
        WriteObject(output);
    }

    // Shown once something was written or skipped: a run with nothing new to do shows no bar.
    protected override (string Status, int Percent)? ProgressStatus()
    {
        if (!ProgressShown && Interlocked.Read(ref _bytesWritten) <= 0 && Interlocked.Read(ref _filesWritten) == 0 && Interlocked.Read(ref _skipped) == 0)
            return null;
        var where = _archivers.Count == 1 ? $" to {_archivers.Values.First().Folder.Directory}" : $" to {_archivers.Count} folders";
        return ($"{Interlocked.Read(ref _filesWritten)} files, {Interlocked.Read(ref _bytesWritten) / 1048576.0:0.0} MB written{where}; " +
            $"{Interlocked.Read(ref _skipped)} archived already", -1);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
            foreach (var archiver in _archivers.Values) archiver.Folder.Dispose();   // ends the run in each folder
        base.Dispose(disposing);
    }

    // Downloads report from worker threads; the pipeline thread shows the total.
    private sealed class BytesCounter(ZcrmArchiveCmdletBase cmdlet) : IProgress<long>
    {
        public void Report(long bytes) => Interlocked.Add(ref cmdlet._bytesWritten, bytes);
    }
}
