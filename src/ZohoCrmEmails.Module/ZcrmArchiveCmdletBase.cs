using System.Management.Automation;
using ZohoCrmEmails.Engine;
using ZohoCrmEmails.Engine.Archive;
using ZohoCrmEmails.Models;

namespace ZohoCrmEmails.Module;

/// <summary>
/// What Save-ZcrmEmailAttachment and Export-ZcrmEmail share: what to archive (piped e-mails; -Module/-RecordId/-MessageId;
/// piped records, whose e-mails are listed; or with -All every record of a module, swept night after night), where to
/// (folders resolved the way Export-Csv resolves -Path, one per input with a script block, each with its index, so that
/// what a folder holds already is skipped without a request), -Force, -ThrottleLimit, FileInfo output carrying the
/// Zoho ids, and progress in files, bytes, records and items skipped. Each cmdlet says only what it finds, takes and
/// writes, in its <see cref="ArchiveFlow{TFound,TWrite}"/>.
/// </summary>
public abstract partial class ZcrmArchiveCmdletBase : ZcrmDataCmdletBase
{
    private const string EmailSet = "Email";
    private const string IdSet = "Id";
    private const string RecordSet = "Record";
    private const string AllSet = "All";
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
    private long _recordsDone;
    private long _recordsDoneBefore;
    private long _recordsUnfinished;

    /// <summary>E-mails as Get-ZcrmRecordEmail writes them: listed ones are read in full when needed.</summary>
    [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = EmailSet)]
    [ValidateNotNull]
    public ZcrmEmail? InputObject { get; set; }

    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true, ParameterSetName = IdSet)]
    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true, ParameterSetName = RecordSet)]
    [Parameter(Mandatory = true, ParameterSetName = AllSet)]
    [Alias("ModuleApiName")]
    [AllowEmptyString]
    [ArgumentCompleter(typeof(ModuleNameCompleter))]
    public string Module { get; set; } = "";

    /// <summary>
    /// The record (with -MessageId: of those e-mails; without it, every e-mail of the record is listed and archived). A
    /// piped record (Get-ZcrmRecord, a CSV row) binds its Id, RecordId or 'Record Id'.
    /// </summary>
    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true, ParameterSetName = IdSet)]
    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true, ParameterSetName = RecordSet)]
    [Alias("Id", "Record Id")]
    [AllowEmptyString]
    [RecordIdTransformation]
    public RecordIdArgument RecordId { get; set; } = RecordIdArgument.Of("");

    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true, ParameterSetName = IdSet)]
    [AllowEmptyString]
    public string[] MessageId { get; set; } = [];

    /// <summary>The mailbox owner's id for -MessageId input (a shared user's e-mail); a piped e-mail carries its own.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true, ParameterSetName = IdSet)]
    public string? OwnerId { get; set; }

    /// <summary>Every record of -Module (or of -Criteria), swept into -Path; later runs archive what changed since.</summary>
    [Parameter(Mandatory = true, ParameterSetName = AllSet)]
    public SwitchParameter All { get; set; }

    /// <summary>With -All: only the records this COQL where clause selects (needs the scope ZohoCRM.coql.READ).</summary>
    [Parameter(ParameterSetName = AllSet)]
    [AllowEmptyString]
    public string? Criteria { get; set; }

    /// <summary>With -All: which time of a record says it changed since the last complete sweep.</summary>
    [Parameter(ParameterSetName = AllSet)]
    public ZcrmChangeTime ChangeTime { get; set; } = ZcrmChangeTime.LastActivityTime;

    /// <summary>With records (piped, or -All): every mailbox you may see on each, yours then each shared user's.</summary>
    [Parameter(ParameterSetName = RecordSet)]
    [Parameter(ParameterSetName = AllSet)]
    public SwitchParameter AllMailboxes { get; set; }

    /// <summary>With -All: every record again, not only those changed (archived e-mails are still skipped without a request).</summary>
    [Parameter(ParameterSetName = AllSet)]
    public SwitchParameter Full { get; set; }

    /// <summary>
    /// The destination folder; created when missing. Takes pipeline input by property name so that a script block is
    /// evaluated for each input (delay-bind): -Path { "./deals/$($_.RecordId)" } gives each record a folder of its own.
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

    /// <summary>The flow of this cmdlet's archive: what it finds, takes and writes. Made once the connection is open.</summary>
    protected abstract IArchiveFlow CreateFlow();

    /// <summary>The flow as the cmdlet base drives it.</summary>
    protected interface IArchiveFlow : IDisposable
    {
        void AddRecord(EmailArchiver archiver, RecordTracker record);
        void AddEmail(EmailArchiver archiver, EmailRequest email, RecordTracker? record);
        void Complete();
    }

    private IArchiveFlow? _flow;

    protected override void BeginProcessing()
    {
        (_client, _context) = Open();
        _whatIf = MyInvocation.BoundParameters.TryGetValue("WhatIf", out var w) ? w is SwitchParameter { IsPresent: true }
            : GetVariableValue("WhatIfPreference") is true or SwitchParameter { IsPresent: true };
        _flow = CreateFlow();
    }

    protected override void ProcessRecord()
    {
        switch (ParameterSetName)
        {
            case EmailSet:
                _flow!.AddEmail(CurrentArchiver(), EmailRequest.Of(InputObject!), null);
                break;
            case IdSet:
                foreach (var request in CurrentRequests()) _flow!.AddEmail(CurrentArchiver(), request, null);
                break;
            case RecordSet:
                if (CurrentRecord() is { } record) _flow!.AddRecord(CurrentArchiver(), new RecordTracker(Module, record, null));
                break;
        }
    }

    protected override void EndProcessing()
    {
        if (ParameterSetName == AllSet) Sweep();
        _flow!.Complete();
        CompleteProgress();
    }

    /// <summary>
    /// The archiver of the current input's folder (-Path as bound for it), made on first use. A run that may write
    /// starts there at once: what dead runs left in that folder is finished and cleared, even if nothing is new.
    /// </summary>
    private EmailArchiver CurrentArchiver()
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

    /// <summary>The e-mails of the current -MessageId input, to be read in full.</summary>
    private IEnumerable<EmailRequest> CurrentRequests()
    {
        if (RecordId.Missing is { } missing)
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
            ReportError(ex, OwnerId, ErrorRecords.Describe(Module, RecordId.Id));
            return [];
        }
        return MessageId.Select(m => new EmailRequest(new EmailId(Module, RecordId.Id, m), owner, null));
    }

    /// <summary>The current piped record's id, or null after its error (checked before any request).</summary>
    private string? CurrentRecord()
    {
        if (RecordId.Missing is { } missing)
        {
            ReportError(missing, null, Module);
            return null;
        }
        try
        {
            InputValidator.Record(Module, RecordId.Id);
            return RecordId.Id;
        }
        catch (ZcrmException ex)
        {
            ReportError(ex, RecordId.Id, ErrorRecords.Describe(Module, RecordId.Id));
            return null;
        }
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
        var records = Interlocked.Read(ref _recordsDone) + Interlocked.Read(ref _recordsDoneBefore) + Interlocked.Read(ref _recordsUnfinished);
        if (!ProgressShown && Interlocked.Read(ref _bytesWritten) <= 0 && Interlocked.Read(ref _filesWritten) == 0 && Interlocked.Read(ref _skipped) == 0 && records == 0)
            return null;
        var where = _archivers.Count == 1 ? $" to {_archivers.Values.First().Folder.Directory}" : $" to {_archivers.Count} folders";
        var sweep = records == 0 ? "" : $"{Interlocked.Read(ref _recordsDone)} records done ({Interlocked.Read(ref _recordsDoneBefore)} by the run before), ";
        return ($"{sweep}{Interlocked.Read(ref _filesWritten)} files, {Interlocked.Read(ref _bytesWritten) / 1048576.0:0.0} MB written{where}; " +
            $"{Interlocked.Read(ref _skipped)} archived already", -1);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _flow?.Dispose();   // cancels work in flight; EndProcessing does not run after a stop
            foreach (var archiver in _archivers.Values) archiver.Folder.Dispose();   // ends the run in each folder
        }
        base.Dispose(disposing);
    }

    // Downloads report from worker threads; the pipeline thread shows the total.
    private sealed class BytesCounter(ZcrmArchiveCmdletBase cmdlet) : IProgress<long>
    {
        public void Report(long bytes) => Interlocked.Add(ref cmdlet._bytesWritten, bytes);
    }
}
