using System.Diagnostics;
using System.Management.Automation;
using ZohoCrmEmails.Archive;
using ZohoCrmEmails.Models;
using ZohoCrmEmails.Paging;

namespace ZohoCrmEmails.Module;

/// <summary>
/// What Save-ZcrmEmailAttachment and Export-ZcrmEmail share: e-mails from the pipeline (or -Module/-RecordId/-MessageId),
/// a destination folder resolved the way Export-Csv resolves -Path, -Force, -ThrottleLimit, FileInfo output carrying the
/// Zoho ids, and progress in files and bytes.
/// </summary>
public abstract class ZcrmArchiveCmdletBase : ZcrmDataCmdletBase
{
    private const string EmailSet = "Email";
    private const string IdSet = "Id";
    // "ZA" in ASCII, apart from the data cmdlets' ids.
    private const int FirstProgressId = 0x5A41;
    private static int _nextProgressId = FirstProgressId;
    private readonly int _progressId = Interlocked.Increment(ref _nextProgressId);
    private static readonly TimeSpan ProgressInterval = TimeSpan.FromMilliseconds(200);
    private ProgressRecord? _progress;
    private long _lastProgressTicks;
    private long _bytesWritten;
    private long _filesWritten;

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

    /// <summary>The destination folder; created when missing.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = "";

    /// <summary>Replace files that existed before this run.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary>
    /// E-mails (or files) a stage holds at once: twice the requests allowed, so that those done behind a slow one (an
    /// e-mail with large attachments, handed out in input order) do not keep the next from starting. Requests stay
    /// capped by -ThrottleLimit and the connection either way.
    /// </summary>
    protected int ItemsAtOnce => Throttle * 2;

    protected ArchiveFolder Folder { get; private set; } = null!;
    protected EmailArchiver Archiver { get; private set; } = null!;
    protected abstract string Activity { get; }

    protected override void BeginProcessing()
    {
        var folder = ResolveFolder();
        var (client, context) = Open();
        Folder = new ArchiveFolder(folder, Force);
        Archiver = new EmailArchiver(client, Folder, context) { Progress = new BytesCounter(this) };
    }

    /// <summary>The e-mails of the current input: the piped e-mail, or one placeholder per -MessageId, to be read in full.</summary>
    protected IEnumerable<ZcrmEmail> CurrentEmails()
    {
        if (ParameterSetName == EmailSet) return [InputObject!];
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
        return MessageId.Select(m => new ZcrmEmail
        {
            Module = Module, RecordId = RecordId, MessageId = m, HasAttachment = true,
            Owner = owner is null ? null : new ZcrmUserRef { Id = owner },
        });
    }

    // As Export-Csv: relative to the current location, ~ and FileSystem drives (TestDrive:) resolved; other providers refused.
    private string ResolveFolder()
    {
        string resolved;
        ProviderInfo provider;
        try
        {
            resolved = SessionState.Path.GetUnresolvedProviderPathFromPSPath(Path, out provider, out _);
        }
        catch (Exception ex) when (ex is ItemNotFoundException or System.Management.Automation.DriveNotFoundException or ProviderNotFoundException or NotSupportedException or ArgumentException)
        {
            ThrowInvalidPath($"'{Path}' is not a path this cmdlet can write to: {ex.Message}");
            throw;
        }
        if (provider.Name != "FileSystem")
            ThrowInvalidPath($"'{Path}' is on the {provider.Name} provider; give a folder of the file system.");
        if (File.Exists(resolved))
            ThrowInvalidPath($"'{resolved}' is a file; give a folder.");
        return resolved;
    }

    private void ThrowInvalidPath(string message) =>
        ThrowTerminatingError(ErrorRecords.From(new ZcrmException(ZcrmErrorCodes.InvalidPath, ZcrmErrorKind.InvalidArgument, message), Path, null, Redact));

    /// <summary>
    /// Writes the fan-out's files, errors and progress; <paramref name="onItem"/> handles each item. A failed input's
    /// error has <paramref name="errorTarget"/> as its TargetObject and names <paramref name="describe"/> in its message.
    /// </summary>
    protected void Drain<TIn, TOut>(IEnumerable<FanOutResult<TIn, TOut>> results, Func<TIn, object> errorTarget, Func<TIn, string> describe,
        Action<TIn, TOut> onItem)
    {
        foreach (var result in Stoppable(results))
        {
            FlushTrace();
            if (result.IsPending) { }   // still waiting: only the progress below
            else if (result.Error is { } error) ReportError(error, errorTarget(result.Input), describe(result.Input));
            else onItem(result.Input, result.Item!);
            ReportProgress(false);
        }
        FlushTrace();
    }

    /// <summary>The file as output: a FileInfo (so Measure-Object Length and Remove-Item just work) with the Zoho ids.</summary>
    protected void WriteFile(FileInfo file, string typeName, ZcrmEmail email, string? attachmentId)
    {
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

    protected void CompleteProgress()
    {
        if (_progress is null) return;
        ReportProgress(true);
        _progress.RecordType = ProgressRecordType.Completed;
        WriteProgress(_progress);
    }

    private void ReportProgress(bool force)
    {
        var now = Stopwatch.GetTimestamp();
        if (!force && (_progress is null ? Interlocked.Read(ref _bytesWritten) == 0 : Stopwatch.GetElapsedTime(_lastProgressTicks, now) < ProgressInterval))
            return;
        _lastProgressTicks = now;
        _progress ??= new ProgressRecord(_progressId, Activity, "Starting");
        _progress.StatusDescription = $"{Interlocked.Read(ref _filesWritten)} files, {Interlocked.Read(ref _bytesWritten) / 1048576.0:0.0} MB written to {Folder.Directory}";
        WriteProgress(_progress);
    }

    // Downloads report from worker threads; the pipeline thread shows the total.
    private sealed class BytesCounter(ZcrmArchiveCmdletBase cmdlet) : IProgress<long>
    {
        public void Report(long bytes) => Interlocked.Add(ref cmdlet._bytesWritten, bytes);
    }
}
