namespace ZohoCrmEmails.Http;

/// <summary>Per-logical-request state carried in HttpRequestMessage.Options through the handler chain.</summary>
internal sealed class RequestState
{
    internal static readonly HttpRequestOptionsKey<RequestState> Key = new("ZohoCrmEmails.State");

    public RequestState(string description, bool authenticated)
    {
        Description = description;
        Authenticated = authenticated;
    }

    /// <summary>Method and path with query, for traces and errors; never a token.</summary>
    public string Description { get; }
    public bool Authenticated { get; }
    public int Attempt { get; set; }
    public List<ZcrmRequestTrace> Attempts { get; } = [];

    public static RequestState Of(HttpRequestMessage request) =>
        request.Options.TryGetValue(Key, out var state) ? state : throw new InvalidOperationException("Request without state.");
}

internal static class RequestCloning
{
    /// <summary>A fresh message for another attempt: HttpRequestMessage can be sent once only.</summary>
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
