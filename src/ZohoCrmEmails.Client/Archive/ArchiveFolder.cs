namespace ZohoCrmEmails.Archive;

/// <summary>
/// The destination folder of one run (one cmdlet invocation). It hands out file names so that two files of the run
/// never share one (" (2)", " (3)" … are added, compared without case, as Windows and macOS do), refuses to replace
/// a file that existed before the run unless told to, and writes every file whole or not at all: to a temporary
/// file in the same folder first, renamed into place once complete. Thread-safe.
/// </summary>
public sealed class ArchiveFolder
{
    private const string TemporarySuffix = ".zcrm-partial";
    private readonly HashSet<string> _reserved = new(StringComparer.OrdinalIgnoreCase);
    private readonly object _gate = new();

    /// <param name="directory">An absolute path; created if missing.</param>
    /// <param name="overwrite">Replace files that existed before the run (-Force).</param>
    public ArchiveFolder(string directory, bool overwrite)
    {
        Directory = Path.GetFullPath(directory);
        Overwrite = overwrite;
    }

    public string Directory { get; }
    public bool Overwrite { get; }

    /// <summary>
    /// A path in the folder for <paramref name="safeName"/> (a <see cref="SafeFileName"/>), unique in this run.
    /// Zcrm.FileExists if that file existed before the run and <see cref="Overwrite"/> is off.
    /// </summary>
    public string Reserve(string safeName)
    {
        var stem = Path.GetFileNameWithoutExtension(safeName);
        var extension = Path.GetExtension(safeName);
        lock (_gate)
        {
            for (var n = 1; ; n++)
            {
                var name = n == 1 ? safeName : $"{stem} ({n}){extension}";
                if (!_reserved.Add(name)) continue;
                var path = Path.Combine(Directory, name);
                // A safe name is one segment: the path cannot leave the folder. Checked anyway, as the last line.
                if (!string.Equals(Path.GetDirectoryName(Path.GetFullPath(path)), Directory, StringComparison.Ordinal))
                    throw new InvalidOperationException($"'{name}' is not a plain file name.");
                if (File.Exists(path) && !Overwrite)
                    throw new ZcrmException(ZcrmErrorCodes.FileExists, ZcrmErrorKind.WriteFailed,
                        $"The file '{path}' exists already; it was not replaced.");
                return path;
            }
        }
    }

    /// <summary>
    /// A new hidden temporary file in the folder (created if missing), open for reading and writing; deleted when
    /// closed if <paramref name="deleteOnClose"/>. Zcrm.WriteFailed if the folder cannot be written.
    /// </summary>
    public FileStream CreateTemporary(bool deleteOnClose)
    {
        try
        {
            // Created once, not before every file: CreateDirectory on a folder that exists costs about a millisecond of
            // CPU on Linux, the largest part of writing a small file. A folder removed meanwhile is created again.
            if (!_created)
            {
                System.IO.Directory.CreateDirectory(Directory);
                _created = true;
            }
            try
            {
                return OpenTemporary(deleteOnClose);
            }
            catch (DirectoryNotFoundException)
            {
                System.IO.Directory.CreateDirectory(Directory);
                return OpenTemporary(deleteOnClose);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw WriteFailed(ex);
        }
    }

    /// <summary>
    /// Writes a file whole or not at all: <paramref name="write"/> fills a temporary file in the folder; the file is
    /// moved to the path <paramref name="finalPath"/> returns once it is complete. Any failure or a cancellation
    /// removes the temporary file, so no partial or wrong file is left behind.
    /// </summary>
    public async Task<FileInfo> WriteAsync(Func<FileStream, CancellationToken, Task> write, Func<string> finalPath, CancellationToken ct)
    {
        string? temporary = null;
        try
        {
            await using (var stream = CreateTemporary(deleteOnClose: false))
            {
                temporary = stream.Name;
                await write(stream, ct).ConfigureAwait(false);
                await stream.FlushAsync(ct).ConfigureAwait(false);
            }
            ct.ThrowIfCancellationRequested();
            var path = finalPath();
            try
            {
                File.Move(temporary, path, Overwrite);
            }
            catch (IOException) when (!Overwrite && File.Exists(path))
            {
                throw new ZcrmException(ZcrmErrorCodes.FileExists, ZcrmErrorKind.WriteFailed, $"The file '{path}' appeared while it was being written; it was not replaced.");
            }
            return new FileInfo(path);
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

    private volatile bool _created;

    private FileStream OpenTemporary(bool deleteOnClose) =>
        new(Path.Combine(Directory, "." + Guid.NewGuid().ToString("N")[..12] + TemporarySuffix),
            FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 81920,
            deleteOnClose ? FileOptions.DeleteOnClose | FileOptions.Asynchronous : FileOptions.Asynchronous);

    private ZcrmException WriteFailed(Exception ex) =>
        new(ZcrmErrorCodes.WriteFailed, ZcrmErrorKind.WriteFailed, ex is UnauthorizedAccessException
            ? $"Writing into '{Directory}' is not allowed: {ex.Message}"
            : $"Writing into '{Directory}' failed: {ex.Message}");
}
