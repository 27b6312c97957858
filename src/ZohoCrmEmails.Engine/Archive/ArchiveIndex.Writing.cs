using System.Text;

namespace ZohoCrmEmails.Engine.Archive;

// Writing: commits grouped under the folder's lock (journal, rename, index row), durable appends, compaction.
public sealed partial class ArchiveIndex
{
    /// <summary>
    /// Moves a complete temporary file (its bytes already on disk) into place as <paramref name="entry"/>'s file and
    /// adds its row. The name is the entry's unless a file of that name appeared meanwhile that is not this item's own
    /// to replace: then the next free one, " (2)" … Null when another run archived the same item meanwhile (and
    /// <paramref name="replace"/> is off): the temporary file is then removed.
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
                var taken = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
                foreach (var p in batch)
                {
                    var key = p.Entry.Key;
                    if (!p.Replace && _entries.TryGetValue(key, out var theirs) && File.Exists(Path.Combine(Directory, theirs.Name)))
                    {
                        File.Delete(p.Temporary);
                        p.Done.TrySetResult(null);   // archived by another run meanwhile
                        continue;
                    }
                    var name = FreeName(p.Entry.Name, key, p.Replace, taken);
                    taken.Add(name);
                    placed.Add((p, p.Entry with { Name = name }));
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

    // The entry's name, unless another item's file has it, a file of no item appeared there meanwhile (and it is not
    // to be replaced), or another item of this batch takes it: then the next candidate.
    private string FreeName(string name, ArchiveKey key, bool replace, HashSet<string> taken) =>
        Candidates(name).First(candidate => !taken.Contains(candidate)
            && (_owners.TryGetValue(candidate, out var owner) ? owner == key : replace || !File.Exists(Path.Combine(Directory, candidate))));

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
}
