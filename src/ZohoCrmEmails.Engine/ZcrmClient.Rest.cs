using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using ZohoCrmEmails.Engine.Http;

namespace ZohoCrmEmails.Engine;

/// <summary>What a call through <see cref="ZcrmClient.InvokeAsync"/> answered: JSON, text (a body that is not JSON), or nothing (204, 304).</summary>
public sealed record ZcrmRestResponse(int Status, JsonElement? Json, string? Text);

// Any Zoho CRM call, with everything the connection does (token, data centre, retries, breaker, credit reserve,
// concurrency, trace, redaction): the escape hatch of Invoke-ZcrmRestMethod.
public sealed partial class ZcrmClient
{
    private const int MaxEmptyRestPages = 10;

    /// <summary>
    /// One call to a path of the connection's API domain (never another host: the path is checked first). A POST or
    /// PATCH is retried only when it was surely not processed (a 429, a connection never made).
    /// </summary>
    public Task<ZcrmRestResponse> InvokeAsync(HttpMethod method, string pathAndQuery, byte[]? jsonBody = null, ZcrmCallContext? context = null,
        CancellationToken ct = default)
    {
        InputValidator.ApiPath(pathAndQuery);
        var state = new RequestState(method, pathAndQuery, context ?? ZcrmCallContext.None)
        {
            JsonBody = jsonBody,
            Idempotent = method != HttpMethod.Post && method != HttpMethod.Patch,
        };
        return SendAsync(state, (response, body, request) => (Read((int)response.StatusCode, body, request), 1L), ct);
    }

    /// <summary>
    /// A GET's items page by page, following Zoho's own paging while <c>info.more_records</c>: <c>page_token</c>
    /// (next_page_token), <c>index</c> (next_index), or <c>page</c> + 1. A page's items are the elements of its first list
    /// (data, users, Emails …); a body that is one object is one item. Lazy: one request per page asked for.
    /// </summary>
    public IAsyncEnumerable<IReadOnlyList<JsonElement>> InvokePages(string pathAndQuery, ZcrmCallContext? context = null)
    {
        InputValidator.ApiPath(pathAndQuery);
        return Redacted(RestPages(pathAndQuery, context ?? ZcrmCallContext.None));
    }

    private async IAsyncEnumerable<IReadOnlyList<JsonElement>> RestPages(string first, ZcrmCallContext context, [EnumeratorCancellation] CancellationToken ct = default)
    {
        var path = first;
        var cursors = new HashSet<string>(StringComparer.Ordinal);
        var empty = 0;
        while (true)
        {
            var answer = await SendAsync(new RequestState(HttpMethod.Get, path, context), (response, body, request) =>
                (Read((int)response.StatusCode, body, request), 1L), ct).ConfigureAwait(false);
            if (answer.Json is not { } json) yield break;   // 204, 304: nothing (more)
            var items = Items(json);
            if (items.Count > 0) { empty = 0; yield return items; }
            if (Next(json, path) is not { } next) yield break;
            if (!cursors.Add(next))
                throw new ZcrmException(ZcrmErrorCodes.RepeatingCursor, ZcrmErrorKind.InvalidResponse,
                    "Zoho CRM sent a cursor it had sent before; stopped rather than loop or repeat items.", 200, "GET " + next);
            if (items.Count == 0 && ++empty > MaxEmptyRestPages)
                throw new ZcrmException(ZcrmErrorCodes.InvalidResponse, ZcrmErrorKind.InvalidResponse,
                    $"Zoho CRM sent {MaxEmptyRestPages} empty pages in a row, each saying more follow; stopped.", 200, "GET " + path);
            path = next;
        }
    }

    // A 2xx body: JSON when it is JSON, else its text (bounded like every body); nothing for 204, 304 or an empty body.
    private static ZcrmRestResponse Read(int status, BufferedBody body, string request)
    {
        if (status is 204 or 304 || body.Length == 0) return new ZcrmRestResponse(status, null, null);
        try
        {
            // Parsed from the body into an element that owns its bytes (one copy); text after the value makes it no JSON.
            var reader = new Utf8JsonReader(body.Span);
            var json = JsonElement.ParseValue(ref reader);
            reader.Read();
            return new ZcrmRestResponse(status, json, null);
        }
        catch (JsonException)
        {
            return new ZcrmRestResponse(status, null, Encoding.UTF8.GetString(body.Span));
        }
    }

    // The items of a page: the first list among the body's properties, "info" aside; a list body is its elements.
    private static List<JsonElement> Items(JsonElement json)
    {
        if (json.ValueKind == JsonValueKind.Array) return [.. json.EnumerateArray()];
        if (json.ValueKind != JsonValueKind.Object) return [json];
        foreach (var property in json.EnumerateObject())
            if (property.Value.ValueKind == JsonValueKind.Array && property.Name != "info")
                return [.. property.Value.EnumerateArray()];
        return [json];
    }

    // The next page's path, from the page's info: Zoho's token, its index cursor, or the page number; null at the end.
    private static string? Next(JsonElement json, string path)
    {
        if (json.ValueKind != JsonValueKind.Object || !json.TryGetProperty("info", out var info) || info.ValueKind != JsonValueKind.Object) return null;
        if (!(info.TryGetProperty("more_records", out var more) && more.ValueKind == JsonValueKind.True)) return null;
        if (Text(info, "next_page_token") is { } token) return WithQuery(path, "page_token", token, drop: "page");
        if (Text(info, "next_index") is { } index) return WithQuery(path, "index", index);
        if (info.TryGetProperty("page", out var page) && page.TryGetInt32(out var number)) return WithQuery(path, "page", (number + 1).ToString(System.Globalization.CultureInfo.InvariantCulture));
        throw new ZcrmException(ZcrmErrorCodes.InvalidResponse, ZcrmErrorKind.InvalidResponse,
            "Zoho CRM said more items follow but sent no next_page_token, next_index or page to ask for them with.", 200, "GET " + path);
    }

    private static string? Text(JsonElement info, string name) =>
        info.TryGetProperty(name, out var value) && value.ValueKind is JsonValueKind.String or JsonValueKind.Number && value.ToString() is { Length: > 0 } text ? text : null;

    // The path with one query parameter set (escaped), and another dropped.
    private static string WithQuery(string path, string name, string value, string? drop = null)
    {
        var question = path.IndexOf('?');
        var query = question < 0 ? [] : path[(question + 1)..].Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Where(p => { var key = p.Split('=', 2)[0]; return key != name && key != drop; }).ToList();
        query.Add(name + "=" + Uri.EscapeDataString(value));
        return (question < 0 ? path : path[..question]) + "?" + string.Join('&', query);
    }
}
