using System.Buffers;
using System.Text.Json;
using ZohoCrmEmails.Engine.Json;

namespace ZohoCrmEmails.Engine.Http;

/// <summary>
/// A download's body, written to <paramref name="destination"/> as it arrives, inside the attempt (a drop or stall
/// mid-body is a failed attempt the retry handler sees). Each attempt starts the stream over. What arrives is bounded
/// by the size Zoho listed (<paramref name="expectedSize"/>), else the size declared, else <see cref="MaxBytes"/>.
/// A small JSON body is also kept in memory as it streams: a hostile or broken server may answer 200 with Zoho's
/// error instead of the file, and <see cref="ReportedError"/> says so without reading the file back.
/// </summary>
/// <param name="destination">Where the bytes go; rewritten from its start for each attempt.</param>
/// <param name="expectedSize">The size Zoho listed; more or fewer bytes is Zcrm.AttachmentSizeMismatch.</param>
/// <param name="request">The request's description, for the errors.</param>
/// <param name="progress">Gets the bytes written as they are (negative when an attempt starts over).</param>
internal sealed class DownloadSink(Stream destination, long? expectedSize, IProgress<long>? progress, string request)
{
    /// <summary>An attachment streams to disk, not memory; this bounds only a body that never ends when Zoho gave no size.</summary>
    public const long MaxBytes = 4L * 1024 * 1024 * 1024;
    private const int SmallJson = 64 * 1024;

    private long _reported;
    private MemoryStream? _json;

    public string? FileName { get; private set; }
    public string? ContentType { get; private set; }

    /// <summary>The <see cref="ResponseBodySink"/> of the download's request.</summary>
    public async Task<long> WriteAsync(HttpResponseMessage response, Stream body, Action<long> keepAlive, CancellationToken token)
    {
        destination.Position = 0;
        destination.SetLength(0);
        progress?.Report(-_reported);
        _reported = 0;
        ContentType = response.Content.Headers.ContentType?.MediaType;
        _json = ContentType is "application/json" ? new MemoryStream() : null;
        var declared = response.Content.Headers.ContentLength;
        var limit = expectedSize ?? declared ?? MaxBytes;
        var buffer = ArrayPool<byte>.Shared.Rent(81920);
        try
        {
            long total = 0;
            int read;
            while ((read = await body.ReadAsync(buffer, token).ConfigureAwait(false)) > 0)
            {
                total += read;
                keepAlive(total);
                if (total > limit)
                    throw expectedSize is { } size
                        ? SizeMismatch(size, total, "or more")
                        : BufferedBody.TooLarge(limit, request, (int)response.StatusCode, declared);
                try
                {
                    await destination.WriteAsync(buffer.AsMemory(0, read), token).ConfigureAwait(false);
                }
                catch (IOException ex)
                {
                    // The disk, not the connection: not a failure a retry of the request would cure.
                    throw new ZcrmException(ZcrmErrorCodes.WriteFailed, ZcrmErrorKind.WriteFailed, $"Writing the attachment failed: {ex.Message}", null, request);
                }
                if (_json is not null)
                {
                    if (total <= SmallJson) _json.Write(buffer, 0, read);
                    else _json = null;   // too large to be an error envelope: a JSON attachment
                }
                _reported += read;
                progress?.Report(read);
            }
            var disposition = response.Content.Headers.ContentDisposition;
            FileName = disposition?.FileNameStar ?? disposition?.FileName?.Trim('"');
            return total;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>The error a small JSON body reports instead of the file; null for a file (a JSON file included).</summary>
    public ZcrmException? ReportedError()
    {
        if (_json is not { Length: > 0 } json) return null;
        ErrorEnvelope? envelope;
        try
        {
            envelope = JsonSerializer.Deserialize(json.GetBuffer().AsSpan(0, (int)json.Length), ZcrmJsonContext.Default.ErrorEnvelope);
        }
        catch (JsonException)
        {
            return null;   // a JSON file that is not Zoho's error: an attachment like any other
        }
        return envelope?.ReportedError is { Status: var status } error && string.Equals(status, "error", StringComparison.OrdinalIgnoreCase)
            ? ZohoErrors.FromEnvelope(error, 200, request)
            : null;
    }

    /// <summary>Zcrm.AttachmentSizeMismatch when the length written is not the one Zoho listed.</summary>
    public void CheckLength(long length)
    {
        if (expectedSize is { } expected && length != expected)
            throw SizeMismatch(expected, length, "");
    }

    private ZcrmException SizeMismatch(long expected, long actual, string more) =>
        new(ZcrmErrorCodes.AttachmentSizeMismatch, ZcrmErrorKind.InvalidResponse,
            $"Zoho CRM listed the attachment at {expected:N0} bytes but sent {actual:N0}{(more.Length > 0 ? " " + more : "")}; the file was not kept.", 200, request);
}
