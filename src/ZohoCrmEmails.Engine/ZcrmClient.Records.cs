using System.Globalization;
using System.Text;
using System.Text.Json;
using ZohoCrmEmails.Engine.Http;
using ZohoCrmEmails.Engine.Json;
using ZohoCrmEmails.Engine.Paging;
using ZohoCrmEmails.Models;

namespace ZohoCrmEmails.Engine;

// Finding records: the Records API, COQL and the record count. Each validates its input before any request and goes
// through SendAsync (ZcrmClient.cs), where its errors are redacted.
public sealed partial class ZcrmClient
{
    private const int RecordsPerPage = 200;

    /// <summary>
    /// A module's records page by page, lazily (one request per page asked for), complete past Zoho's caps and never
    /// one twice (<see cref="RecordWalk"/>). Bad input throws here, before any request.
    /// </summary>
    public IAsyncEnumerable<IReadOnlyList<ZcrmRecord>> GetRecordPages(ZcrmRecordQuery query, ZcrmCallContext? context = null)
    {
        InputValidator.RecordQuery(query);
        var ctx = context ?? ZcrmCallContext.None;
        var walk = new RecordWalk(query, (token, page, ct) => ReadRecordsAsync(query, token, page, ctx, ct),
            (afterId, limit, ct) => ReadCoqlAsync(query, afterId, limit, ctx, ct), ApiVersion);
        return Redacted(walk.Pages());
    }

    /// <summary>How many records the module has (in a custom view): Zoho's actions/count.</summary>
    public Task<long> CountRecordsAsync(string module, string? customViewId = null, ZcrmCallContext? context = null, CancellationToken ct = default)
    {
        InputValidator.RecordQuery(new ZcrmRecordQuery(module) { CustomViewId = customViewId });
        var path = $"/crm/{ApiVersion}/{module}/actions/count" + (customViewId is null ? "" : "?cvid=" + customViewId);
        return SendAsync(path, context ?? ZcrmCallContext.None,
            (response, body, request) => (ResponseParser.Count((int)response.StatusCode, body, request), 1L), ct);
    }

    private Task<ZcrmRecordPage> ReadRecordsAsync(ZcrmRecordQuery query, string? pageToken, int page, ZcrmCallContext context, CancellationToken ct)
    {
        var path = new StringBuilder($"/crm/{ApiVersion}/{query.Module}?fields=").Append(Uri.EscapeDataString(string.Join(',', FieldsOf(query))))
            .Append("&per_page=").Append(RecordsPerPage);
        // Sorted by id, so a walk past Zoho's caps can go on by id; a custom view takes no sort (Zoho: ambiguity).
        if (query.CustomViewId is { } cvid) path.Append("&cvid=").Append(cvid);
        else path.Append("&sort_by=id&sort_order=asc");
        if (pageToken is not null) path.Append("&page_token=").Append(Uri.EscapeDataString(pageToken));
        else path.Append("&page=").Append(page.ToString(CultureInfo.InvariantCulture));
        var state = new RequestState(HttpMethod.Get, path.ToString(), context)
        {
            Headers = query.ModifiedSince is { } since ? [new("If-Modified-Since", ZohoTime(since))] : [],
        };
        return SendAsync(state, RecordPageOf(query.Module), ct);
    }

    private async Task<ZcrmRecordPage> ReadCoqlAsync(ZcrmRecordQuery query, long afterId, int limit, ZcrmCallContext context, CancellationToken ct)
    {
        var select = CoqlQuery(query, afterId, limit);
        var state = new RequestState(HttpMethod.Post, $"/crm/{ApiVersion}/coql", context)
        {
            JsonBody = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, string> { ["select_query"] = select }, CoqlJson.Default.DictionaryStringString),
        };
        try
        {
            return await SendAsync(state, RecordPageOf(query.Module), ct).ConfigureAwait(false);
        }
        catch (ZcrmException ex) when (ex.HttpStatus == 400 && ex.Code != ZohoCodes.LimitExceeded)
        {
            // Zoho's position ("column 71") is in the query sent, which holds more than the criteria given: show it.
            throw new ZcrmException(ex.Code, ex.Kind, $"{ex.Message} The query sent: {select}", ex.HttpStatus, ex.Request, ex.Details);
        }
    }

    // A page of records as both the Records API and COQL answer it, counted for the trace.
    private static Func<HttpResponseMessage, BufferedBody, string, (ZcrmRecordPage, long)> RecordPageOf(string module) =>
        (response, body, request) =>
        {
            var read = ResponseParser.RecordPage((int)response.StatusCode, body, module, request);
            return (read, read.Records.Count);
        };

    /// <summary>The COQL that walks the query's records on the id: the criteria and times asked for, then id &gt; the last.</summary>
    internal static string CoqlQuery(ZcrmRecordQuery query, long afterId, int limit)
    {
        var where = new List<string>();
        if (query.Criteria is { } criteria) where.Add("(" + criteria + ")");
        if (query.ActiveSince is { } active) where.Add($"(Last_Activity_Time >= '{ZohoTime(active)}' or Modified_Time >= '{ZohoTime(active)}')");
        if (query.ModifiedSince is { } modified) where.Add($"Modified_Time >= '{ZohoTime(modified)}'");
        where.Add("id > " + afterId.ToString(CultureInfo.InvariantCulture));
        return $"select {string.Join(", ", FieldsOf(query))} from {query.Module} where {string.Join(" and ", where)} order by id asc limit {limit.ToString(CultureInfo.InvariantCulture)}";
    }

    // id and Modified_Time always, then the fields asked for, each once.
    private static IEnumerable<string> FieldsOf(ZcrmRecordQuery query) =>
        new[] { "id", "Modified_Time" }.Concat(query.Fields).Distinct(StringComparer.OrdinalIgnoreCase);

    /// <summary>A time as Zoho writes one: ISO 8601 to the second, with its offset (UTC).</summary>
    internal static string ZohoTime(DateTimeOffset time) => time.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'+00:00'", CultureInfo.InvariantCulture);
}

[System.Text.Json.Serialization.JsonSerializable(typeof(Dictionary<string, string>))]
internal sealed partial class CoqlJson : System.Text.Json.Serialization.JsonSerializerContext;
