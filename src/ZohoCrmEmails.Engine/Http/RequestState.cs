using ZohoCrmEmails.Engine.Json;

namespace ZohoCrmEmails.Engine.Http;

/// <summary>
/// Writes a success response's body somewhere other than memory (an attachment to a file), inside the attempt: a drop
/// or timeout mid-body is then a failed attempt the retry handler sees. Called once per attempt, so it must start
/// over each time. <paramref name="keepAlive"/> restarts the attempt's timeout: call it with the bytes read so far as
/// they arrive, so that the timeout bounds a stall rather than a large file. Returns the bytes written.
/// </summary>
internal delegate Task<long> ResponseBodySink(HttpResponseMessage response, Stream body, Action<long> keepAlive, CancellationToken cancellationToken);

/// <summary>
/// One logical request as it travels the handler chain (in HttpRequestMessage.Options): what is asked (method, path
/// and query, never a host), for whom (the call context), and what each handler records about it. The host is the
/// auth handler's to choose, with the token (Zoho names the API domain with it).
/// </summary>
internal sealed class RequestState(HttpMethod method, string pathAndQuery, ZcrmCallContext context)
{
    internal static readonly HttpRequestOptionsKey<RequestState> Key = new("ZohoCrmEmails.State");

    public HttpMethod Method { get; } = method;
    /// <summary>"/crm/v8/Deals/1/Emails?index=…": the path and query sent, with no host, token or credential.</summary>
    public string PathAndQuery { get; } = pathAndQuery;
    /// <summary>"GET /crm/v8/…" (HTTP's request line without its version), for traces and errors.</summary>
    public string RequestLine { get; } = LineOf(method, pathAndQuery);

    public static string LineOf(HttpMethod method, string pathAndQuery) => method.Method + " " + pathAndQuery;
    public ZcrmCallContext Context { get; } = context;
    /// <summary>
    /// False for a request that must not be sent twice once the server may have acted on it (a POST or PATCH through
    /// Invoke-ZcrmRestMethod): it is retried only when it was surely not processed (a 429, a connection never made).
    /// </summary>
    public bool Idempotent { get; init; } = true;
    /// <summary>A JSON body to send (COQL's select_query); null for none.</summary>
    public byte[]? JsonBody { get; init; }
    /// <summary>Headers besides Authorization (If-Modified-Since), as sent; never a credential.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; init; } = [];
    /// <summary>A request with If-Modified-Since takes 304 (nothing modified since) as an answer, not an error.</summary>
    public bool AcceptsNotModified => Headers.Any(h => h.Key.Equals("If-Modified-Since", StringComparison.OrdinalIgnoreCase));
    /// <summary>Null: a success body is buffered (within the size limit) for parsing.</summary>
    public ResponseBodySink? BodySink { get; init; }
    public int Attempt { get; set; }
    /// <summary>Fewer attempts than the policy allows, for this request (Connect-Zcrm's token request: fail fast).</summary>
    public int? MaxAttempts { get; init; }
    /// <summary>Ahead of others waiting for the connection's limit: a list page, which sets its record's pace.</summary>
    public bool GoesFirst { get; init; }
    /// <summary>
    /// The last attempt was a 429 about concurrency while the connection already sent one request at a time, after
    /// others like it: the server refuses everything, and the connection's breaker takes over.
    /// </summary>
    public bool RefusedEverything { get; set; }
    /// <summary>The last attempt's error body as Zoho wrote it (read once, on the wire); null after a success or for a body not Zoho's.</summary>
    public ErrorEnvelope? Error { get; set; }
    /// <summary>Set once the token was renewed after a 401 for this request: a second refusal stands.</summary>
    public bool RenewedAfterRefusal { get; set; }
    /// <summary>The attempts made, for the caller's trace sink; only kept when there is one.</summary>
    public List<ZcrmRequestTrace>? Attempts { get; } = context.Trace is null ? null : [];

    public static RequestState Of(HttpRequestMessage request) =>
        request.Options.TryGetValue(Key, out var state) ? state : throw new InvalidOperationException("Request without state.");

    /// <summary>The request's first message: its body and headers, and this state for the handlers.</summary>
    public HttpRequestMessage Attach(HttpRequestMessage request)
    {
        request.Options.Set(Key, this);
        foreach (var (name, value) in Headers) request.Headers.TryAddWithoutValidation(name, value);
        if (JsonBody is not null)
        {
            request.Content = new ByteArrayContent(JsonBody);
            request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        }
        return request;
    }

    /// <summary>Hands the attempts to the caller's trace sink; the last one with what was read from it.</summary>
    public void ReportTrace(long? itemsRead)
    {
        if (Attempts is not { Count: > 0 } attempts) return;
        for (var i = 0; i < attempts.Count - 1; i++)
            Context.Trace!.OnRequest(attempts[i]);
        var last = attempts[^1];
        Context.Trace!.OnRequest(itemsRead is null || last.BytesRead is not null ? last : last with { ItemsRead = itemsRead });
    }
}

internal static class RequestCloning
{
    /// <summary>A fresh message for another attempt: an HttpRequestMessage can be sent once only.</summary>
    public static async Task<HttpRequestMessage> CloneAsync(HttpRequestMessage request, CancellationToken ct)
    {
        var clone = new HttpRequestMessage(request.Method, request.RequestUri) { Version = request.Version };
        foreach (var header in request.Headers)
            clone.Headers.TryAddWithoutValidation(header.Key, header.Value);
        foreach (var option in request.Options)
            ((IDictionary<string, object?>)clone.Options)[option.Key] = option.Value;
        if (request.Content is not null)
        {
            var bytes = await request.Content.ReadAsByteArrayAsync(ct).ConfigureAwait(false);
            clone.Content = new ByteArrayContent(bytes);
            foreach (var header in request.Content.Headers)
                clone.Content.Headers.TryAddWithoutValidation(header.Key, header.Value);
        }
        return clone;
    }
}

/// <summary>Counts the requests a connection sent, and how many are on the wire now.</summary>
public sealed class RequestCounters
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
