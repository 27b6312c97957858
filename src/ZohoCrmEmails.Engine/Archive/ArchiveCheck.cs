using ZohoCrmEmails.Models;

namespace ZohoCrmEmails.Engine.Archive;

/// <summary>Re-hashes every file an archive's index lists, and reports each that is missing or differs.</summary>
public static class ArchiveCheck
{
    /// <summary>The index's rows (the last of each item), to check; Zcrm.ArchiveIndexNotFound when the folder has none.</summary>
    public static IReadOnlyCollection<ArchiveEntry> Rows(string directory)
    {
        var index = ArchiveIndex.Open(directory);
        if (!File.Exists(index.IndexPath))
            throw new ZcrmException(ZcrmErrorCodes.ArchiveIndexNotFound, ZcrmErrorKind.NotFound,
                $"'{index.Directory}' has no {ArchiveIndex.FileName}: it is not an archive folder of Save-ZcrmEmailAttachment or Export-ZcrmEmail.");
        return index.Entries;
    }

    /// <summary>The problem with one row's file, or null when it is intact. <paramref name="progress"/> gets bytes hashed.</summary>
    public static async Task<ZcrmArchiveProblem?> CheckAsync(string directory, ArchiveEntry row, IProgress<long>? progress, CancellationToken ct)
    {
        var path = Path.Combine(Path.GetFullPath(directory), row.Name);
        if (!File.Exists(path)) return Problem(row, path, "Missing", null, null);
        string actual;
        long length;
        await using (var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 81920, FileOptions.Asynchronous))
        {
            length = stream.Length;
            actual = await Sha256Hex.OfAsync(new Counting(stream, progress), ct).ConfigureAwait(false);
        }
        return length == row.Length && string.Equals(actual, row.Sha256, StringComparison.OrdinalIgnoreCase)
            ? null
            : Problem(row, path, "Changed", actual, length);
    }

    private static ZcrmArchiveProblem Problem(ArchiveEntry row, string path, string status, string? actual, long? length) => new()
    {
        Name = row.Name,
        Path = path,
        Status = status,
        ExpectedSha256 = row.Sha256,
        ActualSha256 = actual,
        ExpectedLength = row.Length,
        ActualLength = length,
        Module = row.Key.Email.Module,
        RecordId = row.Key.Email.RecordId,
        MessageId = row.Key.Email.MessageId,
        AttachmentId = row.Key.AttachmentId,
        ArchivedAt = row.ArchivedAt,
    };

    // Reports the bytes read as they are, for a progress display over large files.
    private sealed class Counting(Stream inner, IProgress<long>? progress) : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => inner.Length;
        public override long Position { get => inner.Position; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => Report(inner.Read(buffer, offset, count));
        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            Report(await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false));
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        private int Report(int read)
        {
            if (read > 0) progress?.Report(read);
            return read;
        }
    }
}
