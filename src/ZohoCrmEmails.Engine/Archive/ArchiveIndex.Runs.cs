namespace ZohoCrmEmails.Engine.Archive;

// Runs: each run's lock file, the recovery of dead runs' journals and temporary files, the folder's lock.
public sealed partial class ArchiveIndex
{
    /// <summary>
    /// Starts this run in the folder (created if missing): takes its own lock file, then, under the folder's lock,
    /// finishes what dead runs left (their journals) and removes their temporary files.
    /// </summary>
    public void BeginRun()
    {
        lock (_gate)
        {
            if (_runLock is not null) return;
            System.IO.Directory.CreateDirectory(Directory);
            _runLock = new FileStream(Path.Combine(Directory, RunPrefix + RunId + RunSuffix), FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None,
                1, FileOptions.DeleteOnClose);
        }
        using var folderLock = AcquireFolderLock();
        lock (_gate)
        {
            Refresh();
            // Every run id that left something: a lock file, a journal, a temporary file.
            var ids = new HashSet<string>(StringComparer.Ordinal);
            foreach (var file in System.IO.Directory.EnumerateFiles(Directory, RunPrefix + "*"))
            {
                var name = Path.GetFileName(file);
                var id = name.Length >= RunPrefix.Length + 12 ? name.Substring(RunPrefix.Length, 12) : null;
                if (id is not null && id.All(char.IsAsciiHexDigitLower) && id != RunId) ids.Add(id);
            }
            foreach (var id in ids)
            {
                var run = Path.Combine(Directory, RunPrefix + id + RunSuffix);
                if (!File.Exists(run) || IsDead(run)) RecoverDeadRun(id, run);
            }
        }
    }

    // A run's lock file that can be opened exclusively belongs to a run no longer alive (its process released it).
    private static bool IsDead(string runFile)
    {
        try
        {
            using var probe = new FileStream(runFile, FileMode.Open, FileAccess.ReadWrite, FileShare.None, 1);
            return true;
        }
        catch (FileNotFoundException)
        {
            return false;   // it ended as we looked
        }
        catch (IOException)
        {
            return false;   // held: alive
        }
    }

    private void RecoverDeadRun(string id, string runFile)
    {
        var journal = Path.Combine(Directory, RunPrefix + id + JournalSuffix);
        if (File.Exists(journal))
        {
            var rows = new List<ArchiveEntry>();
            IndexCsv.Read(File.ReadAllBytes(journal), rows, out _);
            // Renamed but not yet indexed when it died: a file that is exactly what its journal row says.
            var missing = rows.Where(r => !(_entries.TryGetValue(r.Key, out var e) && e.Name == r.Name && e.Sha256 == r.Sha256) && IsIntact(r)).ToList();
            if (missing.Count > 0)
            {
                AppendDurably(IndexPath, missing.Select(IndexCsv.Line), header: true);
                _loadedLength = new FileInfo(IndexPath).Length;
                foreach (var r in missing) Add(r);
            }
            File.Delete(journal);
        }
        foreach (var partial in System.IO.Directory.EnumerateFiles(Directory, RunPrefix + id + "-*" + TemporarySuffix))
            File.Delete(partial);
        if (File.Exists(runFile)) File.Delete(runFile);
    }

    private bool IsIntact(ArchiveEntry row)
    {
        var path = Path.Combine(Directory, row.Name);
        return File.Exists(path) && new FileInfo(path).Length == row.Length && Sha256Hex.OfFile(path) == row.Sha256;
    }

    private FileStream AcquireFolderLock()
    {
        var path = Path.Combine(Directory, LockFileName);
        var deadline = DateTime.UtcNow + LockWait;
        for (var wait = 5; ; wait = Math.Min(wait * 2, 100))
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1);
            }
            catch (DirectoryNotFoundException) when (DateTime.UtcNow <= deadline)
            {
                // Made when the first file is committed (a run's start makes it too); not asked for at every commit.
                System.IO.Directory.CreateDirectory(Directory);
            }
            catch (IOException ex) when (ex is not FileNotFoundException)
            {
                // Another run holds it for a commit (moments); a lock held this long is a stuck run.
                if (DateTime.UtcNow > deadline)
                    throw new ZcrmException(ZcrmErrorCodes.ArchiveLocked, ZcrmErrorKind.WriteFailed,
                        $"The archive '{Directory}' stayed locked by another run for {LockWait.TotalMinutes:0} minutes ({ex.Message}).");
                Thread.Sleep(wait);
            }
        }
    }
}
