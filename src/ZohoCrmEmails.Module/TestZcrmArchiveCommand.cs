using System.Diagnostics;
using System.Management.Automation;
using ZohoCrmEmails.Engine.Archive;
using ZohoCrmEmails.Models;

namespace ZohoCrmEmails.Module;

/// <summary>Re-hashes every file an archive folder's index lists; writes one object per file missing or changed.</summary>
[Cmdlet(VerbsDiagnostic.Test, "ZcrmArchive")]
[OutputType(typeof(ZcrmArchiveProblem))]
public sealed class TestZcrmArchiveCommand : ZcrmCmdletBase
{
    private static readonly TimeSpan ProgressInterval = TimeSpan.FromMilliseconds(200);

    /// <summary>Archive folders (with a zcrm-index.csv), resolved as Export-Csv resolves -Path.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("FullName")]
    [ValidateNotNullOrEmpty]
    public string[] Path { get; set; } = [];

    protected override void ProcessRecord()
    {
        foreach (var path in Path)
        {
            string folder;
            try
            {
                folder = ResolveFileSystemPath(path);
            }
            catch (ZcrmException ex)
            {
                ReportError(ex, path, null);
                continue;
            }
            Check(folder);
        }
    }

    private void Check(string folder)
    {
        IReadOnlyCollection<ArchiveEntry> rows;
        try
        {
            rows = ArchiveCheck.Rows(folder);
        }
        catch (Exception ex) when (ex is ZcrmException or IOException or UnauthorizedAccessException)
        {
            ReportError(ex as ZcrmException ?? new ZcrmException(ZcrmErrorCodes.WriteFailed, ZcrmErrorKind.WriteFailed, ex.Message), folder, folder);
            return;
        }
        var total = rows.Sum(r => r.Length);
        long hashed = 0;
        var checkedFiles = 0;
        var progress = new ProgressRecord(0x5A54, "Checking a Zoho CRM e-mail archive", folder);
        var bytes = new Progress(n => Interlocked.Add(ref hashed, n));
        var last = Stopwatch.GetTimestamp();
        foreach (var row in rows)
        {
            ZcrmArchiveProblem? problem;
            try
            {
                problem = Wait(ArchiveCheck.CheckAsync(folder, row, bytes, CancelToken));
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                ReportError(new ZcrmException(ZcrmErrorCodes.WriteFailed, ZcrmErrorKind.WriteFailed, $"'{row.Name}' could not be read: {ex.Message}"), row.Name, folder);
                continue;
            }
            checkedFiles++;
            if (problem is not null) WriteObject(problem);
            if (Stopwatch.GetElapsedTime(last) >= ProgressInterval)
            {
                last = Stopwatch.GetTimestamp();
                progress.StatusDescription = $"{checkedFiles} of {rows.Count} files, {Interlocked.Read(ref hashed) / 1048576.0:0.0} of {total / 1048576.0:0.0} MB";
                progress.PercentComplete = total > 0 ? (int)Math.Min(100, Interlocked.Read(ref hashed) * 100 / total) : 100;
                WriteProgress(progress);
            }
        }
        progress.RecordType = ProgressRecordType.Completed;
        WriteProgress(progress);
        WriteVerbose($"Checked {checkedFiles} files ({total / 1048576.0:0.0} MB) listed in {System.IO.Path.Combine(folder, ArchiveIndex.FileName)}.");
    }

    private sealed class Progress(Action<long> report) : IProgress<long>
    {
        public void Report(long value) => report(value);
    }
}
