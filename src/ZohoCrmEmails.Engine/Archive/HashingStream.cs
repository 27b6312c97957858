using System.Security.Cryptography;

namespace ZohoCrmEmails.Engine.Archive;

/// <summary>
/// Passes writes to a file and hashes them on the way (SHA-256), so that the index gets the hash of what was written
/// without reading the file back. Emptying it (SetLength(0): a download starting over) starts the hash over; reading
/// and seeking pass through. <see cref="Sha256"/> is null when what was hashed is not the whole file (another kind of
/// seek), and the caller then hashes the file itself.
/// </summary>
internal sealed class HashingStream(Stream inner) : Stream
{
    private IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private long _hashed;

    /// <summary>Lowercase hex SHA-256 of the bytes written, if they are the file's bytes from its start.</summary>
    public string? Sha256 => _hashed == inner.Length ? Sha256Hex.Of(_hash.GetCurrentHash()) : null;

    public override bool CanRead => inner.CanRead;
    public override bool CanSeek => inner.CanSeek;
    public override bool CanWrite => true;
    public override long Length => inner.Length;
    public override long Position { get => inner.Position; set => inner.Position = value; }
    public override void Flush() => inner.Flush();
    public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);
    public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);
    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => inner.ReadAsync(buffer, cancellationToken);
    public override long Seek(long offset, SeekOrigin origin) => inner.Seek(offset, origin);

    public override void SetLength(long value)
    {
        inner.SetLength(value);
        if (value != 0) return;
        _hash.Dispose();
        _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        _hashed = 0;
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        Append(buffer);
        inner.Write(buffer);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        Append(buffer.Span);
        return inner.WriteAsync(buffer, cancellationToken);
    }

    // Only what extends the file from its end is hashed; a write elsewhere makes the hash not the file's.
    private void Append(ReadOnlySpan<byte> bytes)
    {
        if (inner.Position != _hashed) _hashed = -1;
        if (_hashed < 0) return;
        _hash.AppendData(bytes);
        _hashed += bytes.Length;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) _hash.Dispose();
        base.Dispose(disposing);
    }
}

/// <summary>SHA-256 as the archive writes it everywhere (index rows, checks, names): lowercase hex.</summary>
internal static class Sha256Hex
{
    // net8.0 has no Convert.ToHexStringLower.
    public static string Of(ReadOnlySpan<byte> hash) => Convert.ToHexString(hash).ToLowerInvariant();

    public static async Task<string> OfAsync(Stream stream, CancellationToken ct) => Of(await SHA256.HashDataAsync(stream, ct).ConfigureAwait(false));

    /// <summary>A file's bytes, read while others may still write or delete it.</summary>
    public static string OfFile(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 81920);
        return Of(SHA256.HashData(stream));
    }
}
