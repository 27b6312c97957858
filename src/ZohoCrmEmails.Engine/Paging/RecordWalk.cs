using System.Globalization;
using System.Runtime.CompilerServices;
using ZohoCrmEmails.Engine.Http;
using ZohoCrmEmails.Engine.Json;
using ZohoCrmEmails.Models;

namespace ZohoCrmEmails.Engine.Paging;

/// <summary>
/// A module's records page by page, lazily (one request per page asked for), complete past Zoho's caps and never one
/// twice:
/// <list type="bullet">
/// <item>The Records API, sorted by id: page 1, then Zoho's page_token while it sends one (a page walk stops at 2,000
/// records, a token walk at 100,000, a token expires after a day).</item>
/// <item>When the Records API cannot go on (PAGINATION_LIMIT_EXCEEDED, DISCRETE_PAGINATION_LIMIT_EXCEEDED,
/// EXPIRED_VALUE, TOKEN_BOUND_DATA_MISMATCH), and for criteria and activity times from the start, COQL walks on the
/// id: <c>where … and id &gt; last order by id asc</c>, which no offset cap stops.</item>
/// <item>A custom view cannot be walked on the id (COQL knows none): past the token walk it ends with
/// Zcrm.RecordListIncomplete, which says how many records were read and the last id.</item>
/// </list>
/// Ids already returned are not returned again; a page whose ids are not in ascending order (the sort not honoured)
/// ends the walk with an error rather than a guess.
/// </summary>
internal sealed class RecordWalk(ZcrmRecordQuery query, RecordWalk.ReadApi readApi, RecordWalk.ReadCoql readCoql, string apiVersion)
{
    /// <summary>A Records API page: the first (token null, page 1), by page number, or by Zoho's token.</summary>
    public delegate Task<ZcrmRecordPage> ReadApi(string? pageToken, int page, CancellationToken ct);
    /// <summary>A COQL page: records with an id above <paramref name="afterId"/>, in id order, at most <paramref name="limit"/>.</summary>
    public delegate Task<ZcrmRecordPage> ReadCoql(long afterId, int limit, CancellationToken ct);

    /// <summary>COQL rows a call: the first small, for the first object soon; then Zoho's most (3 credits for 2,000).</summary>
    private const int FirstCoqlLimit = 200;
    private const int CoqlLimit = 2000;
    private const int MaxEmptyPagesInARow = 10;
    private static readonly HashSet<string> WalkStoppers =
        new(StringComparer.Ordinal) { ZohoCodes.PaginationLimitExceeded, ZohoCodes.DiscretePaginationLimitExceeded, ZohoCodes.ExpiredValue, ZohoCodes.TokenBoundDataMismatch };

    private long _lastId;
    private long _returned;
    // A custom view's walk is not sorted: ids returned are remembered (at most what a token walk reaches).
    private readonly HashSet<long>? _seen = query.CustomViewId is null ? null : [];

    public async IAsyncEnumerable<IReadOnlyList<ZcrmRecord>> Pages([EnumeratorCancellation] CancellationToken ct = default)
    {
        ZcrmException? apiStopped = null;
        if (!query.NeedsCoql)
        {
            string? token = null;
            var page = 1;
            var tokens = new HashSet<string>(StringComparer.Ordinal);
            var emptyInARow = 0;
            while (true)
            {
                ZcrmRecordPage read;
                try
                {
                    read = await readApi(token, page, ct).ConfigureAwait(false);
                }
                catch (ZcrmException ex) when (WalkStoppers.Contains(ex.Code) && (token is not null || page > 1))
                {
                    if (_seen is not null)
                        throw Incomplete($"Zoho's walk of a custom view stops there ({ex.Code}: {ex.Message}), and a custom view cannot be walked on the id. " +
                            "Give its filter as a criteria (COQL) instead", ex);
                    apiStopped = ex;
                    break;
                }
                var records = Accept(read.Records);
                if (records.Count > 0)
                {
                    emptyInARow = 0;
                    yield return records;
                }
                else if (read.Info.MoreRecords && ++emptyInARow > MaxEmptyPagesInARow)
                {
                    throw Invalid($"Zoho CRM sent {MaxEmptyPagesInARow} pages in a row without a new record, each saying more follow; stopped.");
                }
                if (!read.Info.MoreRecords) yield break;
                if (read.Info.NextPageToken is { Length: > 0 } next)
                {
                    if (!tokens.Add(next))
                        throw new ZcrmException(ZcrmErrorCodes.RepeatingCursor, ZcrmErrorKind.InvalidResponse,
                            $"Zoho CRM sent a page token for {query.Module} that it had sent before; stopped rather than loop. {HowFar()}.",
                            200, $"GET /crm/{apiVersion}/{query.Module}?page_token={Uri.EscapeDataString(next)}");
                    token = next;
                }
                else if (token is null)
                {
                    page++;   // no token (an older server): by page number, until its cap says to stop
                }
                else
                {
                    throw Invalid("Zoho CRM said more records follow but sent no page token for them.");
                }
            }
        }

        var limit = FirstCoqlLimit;
        var shrunk = 0;
        while (true)
        {
            ZcrmRecordPage read;
            try
            {
                read = await readCoql(_lastId, limit, ct).ConfigureAwait(false);
            }
            catch (ZcrmException ex) when (ex.Code == ZohoCodes.LimitExceeded && limit > 1 && ++shrunk <= 8)
            {
                // Fewer rows a call than Zoho's documented 2,000: what its details name, else half.
                limit = ex.Details.TryGetValue("limit", out var named) && int.TryParse(named, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= 1 && n < limit
                    ? n : Math.Max(1, limit / 2);
                continue;
            }
            catch (ZcrmException ex) when (apiStopped is not null && ex.Code != ZcrmErrorCodes.CreditReserveReached)
            {
                throw Incomplete($"the Records API stops there ({apiStopped.Code}), and going on by id through COQL failed ({ex.Code}: {ex.Message})", ex);
            }
            var records = Accept(read.Records);
            if (records.Count == 0)
            {
                // Each call asks for ids past the last: a page with none says the walk is at its end, unless it says
                // more follow, which would be a walk going nowhere.
                if (read.Info.MoreRecords)
                    throw Invalid($"Zoho CRM said more records of {query.Module} follow but sent none after id {_lastId}; stopped rather than loop. {HowFar()}.");
                yield break;
            }
            yield return records;
            if (!read.Info.MoreRecords) yield break;
            if (limit == FirstCoqlLimit && shrunk == 0) limit = CoqlLimit;
        }
    }

    // New records of a page, in order; the walk's place moved past them.
    private List<ZcrmRecord> Accept(IReadOnlyList<ZcrmRecord> page)
    {
        var accepted = new List<ZcrmRecord>(page.Count);
        long previous = 0;
        foreach (var record in page)
        {
            var id = long.Parse(record.Id, NumberStyles.None, CultureInfo.InvariantCulture);
            if (_seen is not null)
            {
                if (_seen.Add(id)) accepted.Add(record);
                continue;
            }
            if (id <= previous)
                throw Invalid($"Zoho CRM sent the records of {query.Module} out of id order ({id} after {previous}); stopped rather than miss any. {HowFar()}.");
            previous = id;
            if (id <= _lastId) continue;   // returned already (a page read again)
            _lastId = id;
            accepted.Add(record);
        }
        _returned += accepted.Count;
        return accepted;
    }

    private string HowFar() => _returned == 0
        ? "No record was returned"
        : $"The {_returned} records before it were returned, the last with id {(_seen is null ? _lastId.ToString(CultureInfo.InvariantCulture) : "(unsorted)")}";

    private ZcrmException Invalid(string message) =>
        new(ZcrmErrorCodes.InvalidResponse, ZcrmErrorKind.InvalidResponse, message, 200, $"GET /crm/{apiVersion}/{query.Module}");

    private ZcrmException Incomplete(string why, ZcrmException cause) =>
        new(ZcrmErrorCodes.RecordListIncomplete, ZcrmErrorKind.LimitsExceeded,
            $"Not every record of {query.Module} was read: {why}. {HowFar()}; " +
            (_seen is null && _returned > 0 ? $"to go on from there, add \"id > {_lastId}\" to the criteria." : "nothing after it."),
            cause.HttpStatus, cause.Request, cause.Details);
}
