using System.Buffers;
using System.Net;

namespace ZohoCrmEmails.Engine.Http;

/// <summary>
/// A response body read whole on the wire, within the connection's size limit, into one rented buffer: parsed in
/// place, never copied again, and the buffer returned when the response is disposed.
/// </summary>
internal sealed class BufferedBody : HttpContent
{
    private const int InitialSize = 16 * 1024;
    private byte[]? _buffer;

    private BufferedBody(byte[] buffer, int length)
    {
        _buffer = buffer;
        Length = length;
    }

    public int Length { get; }
    public ReadOnlySpan<byte> Span => (_buffer ?? throw new ObjectDisposedException(nameof(BufferedBody))).AsSpan(0, Length);

    public static BufferedBody Empty() => new([], 0);

    /// <summary>
    /// The body the wire handler read in place of the response's content (every response but a download's, whose body
    /// went to its sink: empty then). The one place that knows of the swap.
    /// </summary>
    public static BufferedBody Of(HttpResponseMessage response) => response.Content as BufferedBody ?? Empty();

    /// <summary>Reads <paramref name="content"/> to its end; more than <paramref name="limit"/> bytes is Zcrm.ResponseTooLarge.</summary>
    public static async Task<BufferedBody> ReadAsync(HttpContent content, long limit, string request, int status, CancellationToken ct)
    {
        var declared = content.Headers.ContentLength;
        if (declared > limit)
            throw TooLarge(limit, request, status, declared);
        var cap = (int)Math.Min(limit, Array.MaxLength - 1);
        var buffer = ArrayPool<byte>.Shared.Rent((int)Math.Min(declared ?? InitialSize, cap) + 1);
        var length = 0;
        try
        {
            var stream = await content.ReadAsStreamAsync(ct).ConfigureAwait(false);
            while (true)
            {
                if (length == buffer.Length)
                {
                    if (length > cap)
                        throw TooLarge(limit, request, status, null);
                    var larger = ArrayPool<byte>.Shared.Rent((int)Math.Min((long)buffer.Length * 2, (long)cap + 1));
                    buffer.AsSpan(0, length).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }
                var read = await stream.ReadAsync(buffer.AsMemory(length), ct).ConfigureAwait(false);
                if (read == 0) break;
                length += read;
                if (length > limit)
                    throw TooLarge(limit, request, status, null);
            }
            var body = new BufferedBody(buffer, length);
            buffer = null;
            return body;
        }
        finally
        {
            if (buffer is not null) ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    internal static ZcrmException TooLarge(long limit, string request, int status, long? declared) =>
        new(ZcrmErrorCodes.ResponseTooLarge, ZcrmErrorKind.LimitsExceeded,
            (declared is { } d ? $"The response would be {d:N0} bytes" : "The response went on")
            + $" beyond the limit of {limit:N0} bytes, so it was not read. Raise the limit if a real e-mail is that large.",
            status, request);

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        stream.WriteAsync(_buffer.AsMemory(0, Length)).AsTask();

    protected override bool TryComputeLength(out long length)
    {
        length = Length;
        return true;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing && Interlocked.Exchange(ref _buffer, null) is { Length: > 0 } buffer)
            ArrayPool<byte>.Shared.Return(buffer);
        base.Dispose(disposing);
    }
}
