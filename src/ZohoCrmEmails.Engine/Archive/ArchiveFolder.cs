namespace ZohoCrmEmails.Engine.Archive;

/// <summary>
/// The destination folder of one run (one cmdlet invocation) and its index. It hands out file names so that two files
/// of the run never share one (" (2)", " (3)" … are added, compared without case, as Windows and macOS do), never
/// gives a name the index knows for another item, refuses to replace a file the index does not know unless told to,
/// and writes every file whole or not at all: to a temporary file in the same folder, made durable (flushed to the
/// disk), then committed by the index (renamed into place, its row added). Thread-safe.
/// </summary>
public sealed class ArchiveFolder : IDisposable
{
    private readonly HashSet<string> _reserved = new(StringComparer.OrdinalIgnoreCase);
    private readonly object _gate = new();
    private volatile bool _begun;

    /// <param name="directory">An absolute path; created when the first file is written.</param>
    /// <param name="overwrite">Archive again what the index holds, and replace files it does not know (-Force).</param>
    public ArchiveFolder(string directory, bool overwrite)
    {
        Directory = FullPath(directory);
        Overwrite = overwrite;
        Index = new ArchiveIndex(Directory);
    }

    /// <summary>The folder as <see cref="FullPath"/> gives it.</summary>
    public string Directory { get; }

    /// <summary>
    /// One spelling per folder: absolute, without a trailing separator ("./archive/" as tab completion writes it is
    /// "…/archive"), so that a file's folder compares equal to it and two spellings of one folder are one folder.
    /// </summary>
    public static string FullPath(string directory) => Path.TrimEndingDirectorySeparator(Path.GetFullPath(directory));
    public bool Overwrite { get; }
    public ArchiveIndex Index { get; }

    /// <summary>The item's row when the folder holds it (its file there) and this run is not to archive it again (-Force): skip it.</summary>
    public ArchiveEntry? ArchivedAlready(ArchiveKey key) => Overwrite ? null : Index.Archived(key);

    /// <summary>
    /// Whether the folder holds every attachment of the e-mail a run would save, without reading it: the index knows how
    /// many attachments the e-mail had when it was read, so "all saved" needs no request; with
    /// <paramref name="attachmentIds"/>, those saved is enough. The first file's name, for the message, or null.
    /// </summary>
    public string? AllAttachmentsArchived(EmailId email, IReadOnlyCollection<string>? attachmentIds)
    {
        if (Overwrite) return null;
        var saved = Index.AttachmentsOf(email).Where(e => Index.Archived(e.Key) is not null).ToList();
        if (saved.Count == 0) return null;
        var all = saved.Max(e => e.Attachments) is { } count && saved.Count >= count;
        var chosen = attachmentIds is not null && attachmentIds.All(id => saved.Any(e => e.Key.AttachmentId == id));
        return all || chosen ? saved[0].Name : null;
    }

    /// <summary>
    /// Starts the run in this folder, once (created if missing): the index finishes and clears what dead runs left.
    /// Called before the first file is written, and by a run that writes nothing, so that it still tidies.
    /// Zcrm.WriteFailed if the folder cannot be written.
    /// </summary>
    public void BeginRun()
    {
        if (_begun) return;
        lock (_gate)
        {
            if (_begun) return;
            Guard(() => Index.BeginRun());
            _begun = true;
        }
    }

    /// <summary>
    /// A path in the folder for <paramref name="safeName"/> (a <see cref="SafeFileName"/>), unique in this run. With
    /// <paramref name="key"/>: a name the index gives another item is passed over, and the item's own file, archived
    /// again (-Force), keeps its name. Zcrm.FileExists for a file the index does not know, unless <see cref="Overwrite"/>.
    /// </summary>
    public string Reserve(string safeName, ArchiveKey? key = null)
    {
        lock (_gate)
        {
            if (key is { } own && Overwrite && Index.Find(own) is { } previous && _reserved.Add(previous.Name))
                return Checked(previous.Name);
            var name = ArchiveIndex.Candidates(safeName).First(n => !_reserved.Contains(n) && IsFree(n, key));
            _reserved.Add(name);
            return Checked(name);
        }
    }

    // Free for this item: no other item's file, and no file the index does not know (Zcrm.FileExists, unless -Force).
    private bool IsFree(string name, ArchiveKey? key)
    {
        var owner = Index.OwnerOf(name);
        var path = Checked(name);
        // A file the index read at the start does not know may be one another run wrote since: read what it added.
        if (owner is null && File.Exists(path)) owner = Index.Reread().OwnerOf(name);
        if (owner is not null) return owner == key;   // another item's file is passed over; the item's own is kept
        if (File.Exists(path) && !Overwrite)
            throw new ZcrmException(ZcrmErrorCodes.FileExists, ZcrmErrorKind.WriteFailed,
                $"The file '{path}' exists already and the archive's index does not know it; it was not replaced.");
        return true;
    }

    // A safe name is one segment: the path cannot leave the folder. Checked anyway, as the last line.
    private string Checked(string name)
    {
        var path = Path.Combine(Directory, name);
        if (!string.Equals(Path.GetDirectoryName(Path.GetFullPath(path)), Directory, StringComparison.Ordinal))
            throw new InvalidOperationException($"'{name}' is not a plain file name.");
        return path;
    }

    /// <summary>
    /// A new hidden temporary file of this run in the folder, open for reading and writing; deleted when closed if
    /// <paramref name="deleteOnClose"/>. Zcrm.WriteFailed if the folder cannot be written.
    /// </summary>
    public FileStream CreateTemporary(bool deleteOnClose)
    {
        BeginRun();
        return Guard(() => new FileStream(Index.NewTemporaryPath(), FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 81920,
            deleteOnClose ? FileOptions.DeleteOnClose | FileOptions.Asynchronous : FileOptions.Asynchronous));
    }

    /// <summary>
    /// Writes one item's file whole or not at all: <paramref name="write"/> fills a temporary file in the folder; once
    /// complete its bytes are flushed to the disk, hashed, and the index commits it under the name <paramref name="finalPath"/>
    /// returns (its row from <paramref name="row"/>, with the name, length, SHA-256 and time filled in). Any failure or a
    /// cancellation removes the temporary file, so no partial or wrong file is left behind. Null when another run
    /// archived the same item meanwhile.
    /// </summary>
    public async Task<FileInfo?> WriteAsync(Func<Stream, CancellationToken, Task> write, Func<string> finalPath, ArchiveEntry row, CancellationToken ct)
    {
        string? temporary = null;
        try
        {
            long length;
            string? sha256;
            await using (var stream = CreateTemporary(deleteOnClose: false))
            {
                temporary = stream.Name;
                using var hashing = new HashingStream(stream);
                await write(hashing, ct).ConfigureAwait(false);
                await stream.FlushAsync(ct).ConfigureAwait(false);
                // On the disk before it gets its name: a power cut cannot leave a complete-looking file short.
                stream.Flush(flushToDisk: true);
                length = stream.Length;
                sha256 = hashing.Sha256;
            }
            ct.ThrowIfCancellationRequested();
            sha256 ??= Sha256Hex.OfFile(temporary);
            var entry = row with { Name = Path.GetFileName(finalPath()), Length = length, Sha256 = sha256, ArchivedAt = DateTimeOffset.UtcNow };
            var committed = await Index.CommitAsync(temporary, entry, Overwrite).ConfigureAwait(false);
            temporary = null;   // moved, or removed by the index
            return committed;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw WriteFailed(ex);
        }
        finally
        {
            if (temporary is not null && File.Exists(temporary)) File.Delete(temporary);
        }
    }

    private T Guard<T>(Func<T> action)
    {
        try
        {
            return action();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw WriteFailed(ex);
        }
    }

    private void Guard(Action action) => Guard(() => { action(); return 0; });

    private ZcrmException WriteFailed(Exception ex) =>
        new(ZcrmErrorCodes.WriteFailed, ZcrmErrorKind.WriteFailed, ex is UnauthorizedAccessException
            ? $"Writing into '{Directory}' is not allowed: {ex.Message}"
            : $"Writing into '{Directory}' failed: {ex.Message}");

    /// <summary>Ends the run in this folder: the index folds replaced rows and removes the run's lock file and journal.</summary>
    public void Dispose() => Index.Dispose();
}
