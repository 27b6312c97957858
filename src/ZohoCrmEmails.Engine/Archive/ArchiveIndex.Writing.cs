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
}
