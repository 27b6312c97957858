using System.Diagnostics;
using System.Net;

namespace ZohoCrmEmails.Http;

/// <summary>
/// Innermost handler: one attempt on the wire. Applies the per-attempt timeout, reads the whole body inside it (so a
/// connection dropped mid-body is a failed attempt the retry handler sees), and records the attempt for tracing.
/// </summary>
internal sealed class WireHandler(TimeSpan timeout, ZcrmRequestCounters counters) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var state = RequestState.Of(request);
        state.Attempt++;
        cancellationToken.ThrowIfCancellationRequested();
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(timeout);
        var started = Stopwatch.GetTimestamp();
        counters.OnSent();
        HttpResponseMessage? response = null;
        try
        {
            response = await base.SendAsync(request, cts.Token).ConfigureAwait(false);
            var body = await response.Content.ReadAsByteArrayAsync(cts.Token).ConfigureAwait(false);
            var buffered = new ByteArrayContent(body);
            foreach (var header in response.Content.Headers)
                buffered.Headers.TryAddWithoutValidation(header.Key, header.Value);
            response.Content.Dispose();
            response.Content = buffered;
            Record(state, request, response, started, null);
            return response;
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            response?.Dispose();
            Record(state, request, null, started, "timeout");
            throw new ZcrmException(ZcrmErrorCodes.Timeout, ZcrmErrorKind.Timeout,
                $"No complete response within {timeout.TotalSeconds:0.###} s.", null, state.Description, inner: ex)
            { IsTransient = true };
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException)
        {
            response?.Dispose();
            Record(state, request, null, started, "connection failed");
            throw new ZcrmException(ZcrmErrorCodes.ConnectionFailed, ZcrmErrorKind.Connection,
                $"The connection failed: {ex.Message}", (int?)response?.StatusCode, state.Description, inner: ex)
            { IsTransient = true };
        }
        finally
        {
            counters.OnFinished();
        }
    }

    private static void Record(RequestState state, HttpRequestMessage request, HttpResponseMessage? response, long started, string? outcome)
    {
        state.Attempts.Add(new ZcrmRequestTrace(
            request.Method.Method,
            state.Description[(state.Description.IndexOf(' ') + 1)..],
            response is null ? null : (int)response.StatusCode,
            Stopwatch.GetElapsedTime(started).TotalMilliseconds,
            state.Attempt,
            outcome ?? (response is { StatusCode: HttpStatusCode.TooManyRequests } ? "throttled" : null),
            Headers(request.Headers),
            response is null ? [] : Headers(response.Headers).Concat(Headers(response.Content.Headers)).ToList()));
    }

    private static List<KeyValuePair<string, string>> Headers(System.Net.Http.Headers.HttpHeaders headers) =>
        headers.Select(h => new KeyValuePair<string, string>(h.Key, ZcrmTrace.Redact(h.Key, string.Join(", ", h.Value)))).ToList();
}

/// <summary>Counts requests made over a connection, and how many are on the wire now.</summary>
public sealed class ZcrmRequestCounters
{
    private long _sent;
    private int _inFlight;

    public long RequestsSent => Interlocked.Read(ref _sent);
    public int InFlight => Volatile.Read(ref _inFlight);

    internal void OnSent()
    {
        Interlocked.Increment(ref _sent);
        Interlocked.Increment(ref _inFlight);
    }

    internal void OnFinished() => Interlocked.Decrement(ref _inFlight);
}
