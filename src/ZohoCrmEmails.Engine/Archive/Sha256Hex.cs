using System.Security.Cryptography;

namespace ZohoCrmEmails.Engine.Archive;

/// <summary>SHA-256 as the archive writes it everywhere (index rows, checks, names): lowercase hex.</summary>
internal static class Sha256Hex
{
    // net8.0 has no Convert.ToHexStringLower.
    public static string Of(ReadOnlySpan<byte> hash) => Convert.ToHexString(hash).ToLowerInvariant();

    public static string Of(Stream stream) => Of(SHA256.HashData(stream));

    public static async Task<string> OfAsync(Stream stream, CancellationToken ct) => Of(await SHA256.HashDataAsync(stream, ct).ConfigureAwait(false));

    /// <summary>A file's bytes, read while others may still write or delete it.</summary>
    public static string OfFile(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 81920);
        return Of(stream);
    }
}
