using System.Collections.Concurrent;
using System.Text;

namespace ZohoCrmEmails.Engine.Archive;

/// <summary>
/// An archive folder's index, zcrm-index.csv, and the rules that keep it true when runs are killed or run at once:
/// <list type="bullet">
/// <item>A file is committed under the folder's lock (zcrm-index.lock, held for a moment): its row goes to the run's
/// journal (on disk), then the file is renamed into place, then its row is appended to the index (on disk). Commits
/// are grouped: rows waiting together share one journal and one index write.</item>
/// <item>Each run holds a lock file of its own (.zcrm-&lt;run&gt;.run) while it lives; its temporary files and journal carry
/// its id. A run that finds another's lock file free knows that run is dead: it completes that run's journal (a file
/// renamed whose row was not yet in the index) and removes its temporary files.</item>
/// <item>The last row for an item wins; rows replaced by -Force are folded away when the run ends.</item>
/// </list>
/// Thread-safe within a process; two processes (or two cmdlets) writing one folder each have their own instance.
/// </summary>
public sealed class ArchiveIndex : IDisposable
{
    public const string FileName = "zcrm-index.csv";
    public const string LockFileName = "zcrm-index.lock";
    internal const string TemporarySuffix = ".zcrm-partial";
    private const string RunPrefix = ".zcrm-";
    private const string RunSuffix = ".run";
    private const string JournalSuffix = ".journal";
    private static readonly TimeSpan LockWait = TimeSpan.FromMinutes(2);

    private readonly object _gate = new();
    private readonly Dictionary<ArchiveKey, ArchiveEntry> _entries = [];
    private readonly Dictionary<EmailId, List<ArchiveKey>> _attachmentsByEmail = [];
    private readonly Dictionary<string, ArchiveKey> _owners = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentQueue<Pending> _pending = new();
    private readonly SemaphoreSlim _committer = new(1, 1);
    private long _loadedLength;
    private bool _loaded;
    private int _superseded;
    private FileStream? _runLock;
    // Open for the run and emptied after each commit: a file made and deleted per commit costs the file system an
    // inode each time, which ext4 makes expensive for a folder where many were just deleted.
    private FileStream? _journal;
    private bool _disposed;

    public ArchiveIndex(string directory)
    {
        Directory = Path.GetFullPath(directory);
        RunId = Guid.NewGuid().ToString("N")[..12];
    }

    public string Directory { get; }
    /// <summary>This run's id, in the names of its lock file, journal and temporary files.</summary>
    public string RunId { get; }
    public string IndexPath => Path.Combine(Directory, FileName);
    private string JournalPath => Path.Combine(Directory, RunPrefix + RunId + JournalSuffix);

    /// <summary>Rows of the items as they stand (the last row of each).</summary>
    public IReadOnlyCollection<ArchiveEntry> Entries { get { lock (_gate) { EnsureLoaded(); return _entries.Values.ToList(); } } }

    /// <summary>Reads the index as it is now (no lock: a reader sees every complete row). Called on first use.</summary>
    public static ArchiveIndex Open(string directory)
    {
        var index = new ArchiveIndex(directory);
        lock (index._gate) index.EnsureLoaded();
        return index;
    }

    /// <summary>The item's row, if the index has one.</summary>
    public ArchiveEntry? Find(ArchiveKey key)
    {
        lock (_gate)
        {
            EnsureLoaded();
            return _entries.GetValueOrDefault(key);
        }
    }

    /// <summary>Its row, when the index has one and its file is there: an item a run need not fetch again.</summary>
    public ArchiveEntry? Archived(ArchiveKey key)
    {
        lock (_gate)
        {
            EnsureLoaded();
            return ArchivedLocked(key);
        }
    }

    // Under the gate: the one answer to "archived already?", for a run's skips and for a commit's race with another run.
    private ArchiveEntry? ArchivedLocked(ArchiveKey key) =>
        _entries.GetValueOrDefault(key) is { } entry && File.Exists(Path.Combine(Directory, entry.Name)) ? entry : null;

    /// <summary>The rows of an e-mail's attachments.</summary>
    public IReadOnlyList<ArchiveEntry> AttachmentsOf(EmailId email)
    {
        lock (_gate)
        {
            EnsureLoaded();
            return _attachmentsByEmail.TryGetValue(email, out var keys) ? keys.Select(k => _entries[k]).ToList() : [];
        }
    }

    /// <summary>
    /// Reads the rows other runs appended since the last read, under the folder's lock: a commit in progress (its file
    /// renamed, its row not yet written) is waited for, not mistaken for a file nobody archived.
    /// </summary>
    public ArchiveIndex Reread()
    {
        using var folderLock = AcquireFolderLock();
        lock (_gate) Refresh();
        return this;
    }

    /// <summary>The item whose file has this name (compared without case), if the index knows one.</summary>
    public ArchiveKey? OwnerOf(string name)
    {
        lock (_gate)
        {
            EnsureLoaded();
            return _owners.TryGetValue(name, out var key) ? key : null;
        }
    }

    /// <summary>
    /// Whether <paramref name="name"/> can be an archived item's file: one plain segment of the folder (no separator,
    /// drive or control character, not "." or "..") that is none of the archive's own files (its index, its lock, a
    /// run's lock file, journal or temporary files, a sweep's log and lock). An index row naming anything else is not trusted, and no item is
    /// ever given such a name, whatever its sender called it.
    /// </summary>
    internal static bool IsItemName(string name) =>
        name.Length > 0 && name is not "." and not ".." && !SafeFileName.HasInvalidCharacter(name)
        && !name.StartsWith(RunPrefix, StringComparison.Ordinal) && !name.StartsWith(SweepState.FilePrefix, StringComparison.OrdinalIgnoreCase)
        && !name.Equals(FileName, StringComparison.OrdinalIgnoreCase) && !name.Equals(LockFileName, StringComparison.OrdinalIgnoreCase);

    /// <summary>The names an item called <paramref name="name"/> may take, in order: it, "stem (2).ext", "stem (3).ext" …, each an <see cref="IsItemName"/>.</summary>
    internal static IEnumerable<string> Candidates(string name)
    {
        // A name only the archive's own files may start with ("zcrm-sweep-…") has no free variant: it gets a "_" first.
        if (name.StartsWith(RunPrefix, StringComparison.Ordinal) || name.StartsWith(SweepState.FilePrefix, StringComparison.OrdinalIgnoreCase))
            name = "_" + name;
        var stem = Path.GetFileNameWithoutExtension(name);
        var extension = Path.GetExtension(name);
        for (var n = 1; ; n++)
        {
            var candidate = n == 1 ? name : $"{stem} ({n}){extension}";
            if (IsItemName(candidate)) yield return candidate;
        }
    }

    /// <summary>A new temporary file's path, named for this run.</summary>
    public string NewTemporaryPath() => Path.Combine(Directory, RunPrefix + RunId + "-" + Guid.NewGuid().ToString("N")[..12] + TemporarySuffix);

    /// <summary>Ends the run: folds away rows that later ones replaced, and removes the run's lock file and journal.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed) return;
            _disposed = true;
        }
        if (_runLock is null) return;
        try
        {
            if (_superseded > 0)
            {
                using var folderLock = AcquireFolderLock();
                lock (_gate)
                {
                    Refresh();
                    Compact();
                }
            }
            // All its rows are in the index now: nothing is left for a next run to finish.
            _journal?.Dispose();
            if (File.Exists(JournalPath)) File.Delete(JournalPath);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ZcrmException)
        {
            // The index stays whole either way: the next run folds the rows and completes the journal.
        }
        finally
        {
            _runLock.Dispose();   // deleted on close
        }
    }

    // ---------------------------------------------------------------- reading

    private void EnsureLoaded()
    {
        if (!_loaded) Refresh();
    }

    // Reads what was appended since the last read; the whole file again if another run rewrote it (shorter).
    private void Refresh()
    {
        _loaded = true;
        var info = new FileInfo(IndexPath);
        if (!info.Exists) return;
        if (info.Length < _loadedLength) Clear();
        if (info.Length == _loadedLength) return;
        using var stream = new FileStream(IndexPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1);
        stream.Position = _loadedLength;
        var bytes = new byte[stream.Length - _loadedLength];
        stream.ReadExactly(bytes);
        var rows = new List<ArchiveEntry>();
        var consumed = IndexCsv.Read(bytes, rows, out _);
        _loadedLength += consumed;
        foreach (var row in rows) Add(row);
    }

    private void Clear()
    {
        _entries.Clear();
        _attachmentsByEmail.Clear();
        _owners.Clear();
        _loadedLength = 0;
    }

    private void Add(ArchiveEntry row)
    {
        var key = row.Key;
        if (_entries.TryGetValue(key, out var old))
        {
            _superseded++;
            if (_owners.TryGetValue(old.Name, out var owner) && owner == key) _owners.Remove(old.Name);
        }
        else if (key.IsAttachment)
        {
            if (!_attachmentsByEmail.TryGetValue(key.Email, out var list)) _attachmentsByEmail[key.Email] = list = [];
            list.Add(key);
        }
        _entries[key] = row;
        _owners[row.Name] = key;
    }

    // Writing: commits grouped under the folder's lock (journal, rename, index row), durable appends, compaction.

    /// <summary>
    /// Moves a complete temporary file (its bytes already on disk) into place as <paramref name="entry"/>'s file, under
    /// the name the folder reserved for it, and adds its row. Null when another run archived the same item meanwhile
    /// (and <paramref name="replace"/> is off); Zcrm.FileExists when another run gave that name to another item
    /// meanwhile. Either way the temporary file is removed.
    /// </summary>
    public async Task<FileInfo?> CommitAsync(string temporary, ArchiveEntry entry, bool replace)
    {
        var pending = new Pending(temporary, entry, replace);
        _pending.Enqueue(pending);
        // Whoever gets the committer writes every row waiting then: commits that arrive together share the writes.
        // Not cancellable once queued: the file is complete, and another commit may be moving it already.
        await _committer.WaitAsync(CancellationToken.None).ConfigureAwait(false);
        try
        {
            if (!pending.Done.Task.IsCompleted) CommitWaiting();
        }
        finally
        {
            _committer.Release();
        }
        return await pending.Done.Task.ConfigureAwait(false);
    }

    private void CommitWaiting()
    {
        var batch = new List<Pending>();
        while (_pending.TryDequeue(out var p)) batch.Add(p);
        if (batch.Count == 0) return;
        try
        {
            // The folder's lock (and the committer) keep commits apart; the index's own gate is held only while its
            // rows are read or changed in memory, never across the disk writes, so that the pipeline thread asking
            // "archived already?" or reserving a name does not wait for a commit's fsyncs.
            using var folderLock = AcquireFolderLock();
            var placed = new List<(Pending Pending, ArchiveEntry Entry)>();
            lock (_gate)
            {
                Refresh();
                foreach (var p in batch)
                {
                    var key = p.Entry.Key;
                    if (!p.Replace && ArchivedLocked(key) is not null)
                    {
                        File.Delete(p.Temporary);
                        p.Done.TrySetResult(null);   // archived by another run meanwhile
                        continue;
                    }
                    // The name the folder reserved, or nothing: another run may have given it to another item meanwhile.
                    if (NameTaken(p.Entry.Name, key, p.Replace))
                    {
                        File.Delete(p.Temporary);
                        p.Done.TrySetException(new ZcrmException(ZcrmErrorCodes.FileExists, ZcrmErrorKind.WriteFailed,
                            $"Another run archived another item as '{p.Entry.Name}' in '{Directory}' meanwhile; this one was not archived. " +
                            "The next run archives it under a name of its own."));
                        continue;
                    }
                    placed.Add((p, p.Entry));
                }
            }
            if (placed.Count == 0) return;
            // Journal first: a kill between the renames and the index write is finished by the next run.
            _journal ??= new FileStream(JournalPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read, 1);
            _journal.SetLength(0);
            _journal.Position = 0;
            _journal.Write(Encoding.UTF8.GetBytes(string.Concat(placed.Select(x => IndexCsv.Line(x.Entry)))));
            _journal.Flush(flushToDisk: true);
            var moved = new List<(Pending Pending, ArchiveEntry Entry)>();
            foreach (var (p, e) in placed)
            {
                try
                {
                    File.Move(p.Temporary, Path.Combine(Directory, e.Name), overwrite: true);
                    moved.Add((p, e));
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    p.Done.TrySetException(ex);   // that file only; the others are committed
                }
            }
            if (moved.Count == 0) return;
            AppendDurably(IndexPath, moved.Select(x => IndexCsv.Line(x.Entry)), header: true);
            var length = new FileInfo(IndexPath).Length;
            lock (_gate)
            {
                _loadedLength = length;
                foreach (var (_, e) in moved) Add(e);
            }
            foreach (var (p, e) in moved) p.Done.TrySetResult(new FileInfo(Path.Combine(Directory, e.Name)));
        }
        catch (Exception ex)
        {
            foreach (var p in batch) p.Done.TrySetException(ex);
        }
    }

    // Under the gate: whether the name belongs to another item's file, or to a file of no item that is not to be replaced.
    private bool NameTaken(string name, ArchiveKey key, bool replace) =>
        _owners.TryGetValue(name, out var owner) ? owner != key : !replace && File.Exists(Path.Combine(Directory, name));

    private static void AppendDurably(string path, IEnumerable<string> lines, bool header)
    {
        using var stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read, 1);
        var text = new StringBuilder();
        if (stream.Length == 0 && header)
        {
            stream.Write(IndexCsv.Preamble);
            text.Append(IndexCsv.Header).Append('\n');
        }
        else if (stream.Length > 0)
        {
            // A writer killed mid-line left a tail without its line break: end it, so the next row starts a line.
            stream.Position = stream.Length - 1;
            if (stream.ReadByte() != '\n') text.Append('\n');
        }
        foreach (var line in lines) text.Append(line);
        stream.Position = stream.Length;
        stream.Write(Encoding.UTF8.GetBytes(text.ToString()));
        stream.Flush(flushToDisk: true);
    }

    // Rewrites the index with the last row of each item, atomically: a new file on disk, renamed over the old one.
    private void Compact()
    {
        var temporary = NewTemporaryPath();
        AppendDurably(temporary, _entries.Values.Select(IndexCsv.Line), header: true);
        File.Move(temporary, IndexPath, overwrite: true);
        _loadedLength = new FileInfo(IndexPath).Length;
        _superseded = 0;
    }

    private sealed class Pending(string temporary, ArchiveEntry entry, bool replace)
    {
        public string Temporary { get; } = temporary;
        public ArchiveEntry Entry { get; } = entry;
        public bool Replace { get; } = replace;
        public TaskCompletionSource<FileInfo?> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    // Runs: each run's lock file, the recovery of dead runs' journals and temporary files, the folder's lock.

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
