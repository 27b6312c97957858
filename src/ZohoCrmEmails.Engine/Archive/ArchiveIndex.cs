using System.Collections.Concurrent;

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
public sealed partial class ArchiveIndex : IDisposable
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
}
