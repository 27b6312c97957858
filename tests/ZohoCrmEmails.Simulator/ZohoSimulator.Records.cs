using System.Globalization;
using System.Text;
using System.Text.Json;

namespace ZohoCrmEmails.Simulator;

// Finding records: GET /crm/{v}/{Module} (fields, page, per_page, page_token, sort_by, sort_order, cvid,
// If-Modified-Since), GET …/{Module}/actions/count, POST /crm/{v}/coql; Zoho's caps, tokens and errors.
public sealed partial class ZohoSimulator
{
    public SimRecordStore Records { get; } = new();

    private static readonly string[] SortFields = ["id", "Created_Time", "Modified_Time"];

    private async Task RecordsAsync(HttpContext ctx, SimulatorKnobs knobs, string module)
    {
        var q = ctx.Request.Query;
        var fieldsParam = q["fields"].FirstOrDefault();
        if (string.IsNullOrWhiteSpace(fieldsParam))
        {
            await ErrorAsync(ctx, 400, "REQUIRED_PARAM_MISSING", "One of the expected parameter is missing", ("param_name", "fields")).ConfigureAwait(false);
            return;
        }
        var fields = fieldsParam.Split(',').Select(f => f.Trim()).Where(f => f.Length > 0).ToList();
        if (fields.Count > 50)
        {
            await ErrorAsync(ctx, 400, "LIMIT_EXCEEDED", "fields limit exceeded", ("param_name", "fields"), ("limit", "50")).ConfigureAwait(false);
            return;
        }
        if (fields.FirstOrDefault(f => !SimRecordStore.FieldNames.Contains(f, StringComparer.OrdinalIgnoreCase)) is { } unknown)
        {
            await ErrorAsync(ctx, 400, "INVALID_DATA", "invalid field name", ("param_name", "fields"), ("api_name", unknown)).ConfigureAwait(false);
            return;
        }
        var cvid = q["cvid"].FirstOrDefault();
        var sortBy = q["sort_by"].FirstOrDefault();
        var sortOrder = q["sort_order"].FirstOrDefault() ?? "desc";
        var pageParam = q["page"].FirstOrDefault();
        var token = q["page_token"].FirstOrDefault();
        if ((pageParam is not null && token is not null) || (cvid is not null && sortBy is not null))
        {
            await ErrorAsync(ctx, 400, "AMBIGUITY_DURING_PROCESSING", "ambiguity while processing the request",
                ("ambiguity_due_to", pageParam is not null && token is not null ? "page, page_token" : "cvid, sort_by")).ConfigureAwait(false);
            return;
        }
        if (sortBy is not null && !SortFields.Contains(sortBy) || sortOrder is not ("asc" or "desc"))
        {
            await ErrorAsync(ctx, 400, "INVALID_DATA", "invalid data", ("param_name", sortBy is not null && !SortFields.Contains(sortBy) ? "sort_by" : "sort_order")).ConfigureAwait(false);
            return;
        }
        if (cvid is not null && cvid != SimRecordStore.OpenDealsView)
        {
            await ErrorAsync(ctx, 400, "INVALID_DATA", "the custom view id given seems to be invalid", ("param_name", "cvid")).ConfigureAwait(false);
            return;
        }
        if (!int.TryParse(q["per_page"].FirstOrDefault() ?? "200", NumberStyles.None, CultureInfo.InvariantCulture, out var perPage) || perPage is < 1 or > 200)
        {
            await ErrorAsync(ctx, 400, "INVALID_DATA", "invalid data", ("param_name", "per_page")).ConfigureAwait(false);
            return;
        }
        DateTimeOffset? since = null;
        if (ctx.Request.Headers.IfModifiedSince.FirstOrDefault() is { } header)
        {
            if (!DateTimeOffset.TryParse(header, CultureInfo.InvariantCulture, DateTimeStyles.None, out var s))
            {
                await ErrorAsync(ctx, 400, "INVALID_DATA", "invalid If-Modified-Since", ("header_name", "If-Modified-Since")).ConfigureAwait(false);
                return;
            }
            since = s;
        }
        // What a token is bound to: every parameter but the page.
        var bound = string.Join("|", fieldsParam, cvid, sortBy, sortOrder, perPage, since?.ToString("o"));
        int offset;
        int? page = null;
        if (token is not null)
        {
            if (!TryReadPageToken(token, out var tokenBound, out offset))
            {
                await ErrorAsync(ctx, 400, "INVALID_DATA", "the page token given seems to be invalid", ("param_name", "page_token")).ConfigureAwait(false);
                return;
            }
            if (knobs.ExpirePageTokens)
            {
                await ErrorAsync(ctx, 400, "EXPIRED_VALUE", "the page token has expired", ("param_name", "page_token")).ConfigureAwait(false);
                return;
            }
            if (tokenBound != bound)
            {
                await ErrorAsync(ctx, 400, "TOKEN_BOUND_DATA_MISMATCH", "the parameters do not match the page token", ("param_name", "page_token")).ConfigureAwait(false);
                return;
            }
            if (offset >= knobs.RecordsTokenCap)
            {
                await ErrorAsync(ctx, 400, "PAGINATION_LIMIT_EXCEEDED", $"records beyond {knobs.RecordsTokenCap} cannot be fetched", ("limit", knobs.RecordsTokenCap.ToString(CultureInfo.InvariantCulture))).ConfigureAwait(false);
                return;
            }
        }
        else
        {
            if (!int.TryParse(pageParam ?? "1", NumberStyles.None, CultureInfo.InvariantCulture, out var p) || p < 1)
            {
                await ErrorAsync(ctx, 400, "INVALID_DATA", "invalid data", ("param_name", "page")).ConfigureAwait(false);
                return;
            }
            if ((long)(p - 1) * perPage >= knobs.RecordsPageCap)
            {
                await ErrorAsync(ctx, 400, "DISCRETE_PAGINATION_LIMIT_EXCEEDED", $"records beyond {knobs.RecordsPageCap} need a page_token", ("limit", knobs.RecordsPageCap.ToString(CultureInfo.InvariantCulture))).ConfigureAwait(false);
                return;
            }
            page = p;
            offset = (p - 1) * perPage;
        }

        var matched = Records.Records(module, knobs)
            .Where(r => cvid is null || r.Number % 2 == 1)
            .Where(r => since is null || (DateTimeOffset)r.Fields["Modified_Time"]! >= since);
        matched = (sortBy ?? "id") switch
        {
            "id" => sortOrder == "asc" ? matched.OrderBy(r => r.Number) : matched.OrderByDescending(r => r.Number),
            var f => sortOrder == "asc" ? matched.OrderBy(r => (DateTimeOffset)r.Fields[f]!) : matched.OrderByDescending(r => (DateTimeOffset)r.Fields[f]!),
        };
        var all = matched.ToList();
        if (all.Count == 0)
        {
            // Nothing at all: 204, or for a request with If-Modified-Since, Zoho's 304 (or what the knob says).
            var how = since is null ? "204" : knobs.RecordsEmptyAs;
            if (how == "200") await WriteJsonAsync(ctx, 200, w => { w.WriteStartArray("data"); w.WriteEndArray(); }).ConfigureAwait(false);
            else ctx.Response.StatusCode = how == "304" ? 304 : 204;
            return;
        }
        var slice = all.Skip(offset).Take(perPage).ToList();
        var more = offset + slice.Count < all.Count;
        await WriteJsonAsync(ctx, 200, w =>
        {
            w.WriteStartArray("data");
            foreach (var r in slice) WriteRecord(w, r, fields);
            w.WriteEndArray();
            w.WriteStartObject("info");
            w.WriteNumber("per_page", perPage);
            w.WriteNumber("count", slice.Count);
            if (page is { } pg) w.WriteNumber("page", pg);
            w.WriteString("sort_by", sortBy ?? "id");
            w.WriteString("sort_order", sortOrder);
            w.WriteBoolean("more_records", more);
            if (more) w.WriteString("next_page_token", PageToken(bound, offset + perPage)); else w.WriteNull("next_page_token");
            w.WriteNull("previous_page_token");
            w.WriteString("page_token_expiry", DateTimeOffset.UtcNow.AddDays(1).ToString("yyyy-MM-ddTHH:mm:sszzz", CultureInfo.InvariantCulture));
            w.WriteEndObject();
        }).ConfigureAwait(false);
    }

    private async Task CountAsync(HttpContext ctx, SimulatorKnobs knobs, string module)
    {
        var cvid = ctx.Request.Query["cvid"].FirstOrDefault();
        if (cvid is not null && cvid != SimRecordStore.OpenDealsView)
        {
            await ErrorAsync(ctx, 400, "INVALID_DATA", "the custom view id given seems to be invalid", ("param_name", "cvid")).ConfigureAwait(false);
            return;
        }
        var count = Records.Records(module, knobs).Count(r => cvid is null || r.Number % 2 == 1);
        await WriteJsonAsync(ctx, 200, w => w.WriteNumber("count", count)).ConfigureAwait(false);
    }

    private async Task CoqlAsync(HttpContext ctx, SimulatorKnobs knobs)
    {
        if (knobs.CoqlScopeMissing)
        {
            await ErrorAsync(ctx, 401, "OAUTH_SCOPE_MISMATCH", "invalid oauth scope to access this URL").ConfigureAwait(false);
            return;
        }
        string? query = null;
        try
        {
            using var body = await JsonDocument.ParseAsync(ctx.Request.Body).ConfigureAwait(false);
            if (body.RootElement.ValueKind == JsonValueKind.Object && body.RootElement.TryGetProperty("select_query", out var sq) && sq.ValueKind == JsonValueKind.String)
                query = sq.GetString();
        }
        catch (JsonException)
        {
        }
        if (string.IsNullOrWhiteSpace(query))
        {
            await ErrorAsync(ctx, 400, "REQUIRED_PARAM_MISSING", "One of the expected parameter is missing", ("param_name", "select_query")).ConfigureAwait(false);
            return;
        }
        SimCoql coql;
        try
        {
            coql = SimCoql.Parse(query, SimRecordStore.FieldNames);
            if (!SimRecords.Modules.Contains(coql.Module))
                throw new SimCoql.Error("INVALID_QUERY", "invalid module", ("clause", "from"), ("module", coql.Module));
            if (coql.Limit > knobs.CoqlMaxLimit)
                throw new SimCoql.Error("LIMIT_EXCEEDED", $"limit exceeded: at most {knobs.CoqlMaxLimit} rows a call", ("by", "limit"), ("limit", knobs.CoqlMaxLimit.ToString(CultureInfo.InvariantCulture)));
            if ((long)coql.Offset + coql.Limit > knobs.CoqlOffsetCap)
                throw new SimCoql.Error("LIMIT_EXCEEDED", $"limit exceeded: at most {knobs.CoqlOffsetCap} rows by offset", ("by", "offset"), ("limit", knobs.CoqlOffsetCap.ToString(CultureInfo.InvariantCulture)));
        }
        catch (SimCoql.Error e)
        {
            await ErrorAsync(ctx, 400, e.Code, e.Message, e.Details).ConfigureAwait(false);
            return;
        }
        var rows = Records.Records(coql.Module, knobs).Where(r => coql.Where(r.Fields));
        rows = coql.OrderBy.Equals("id", StringComparison.OrdinalIgnoreCase)
            ? (coql.Descending ? rows.OrderByDescending(r => r.Number) : rows.OrderBy(r => r.Number))
            : (coql.Descending ? rows.OrderByDescending(r => r.Fields[coql.OrderBy], Comparer<object?>.Create(SimCoql.Compare)) : rows.OrderBy(r => r.Fields[coql.OrderBy], Comparer<object?>.Create(SimCoql.Compare)));
        var all = rows.Skip(coql.Offset).Take(coql.Limit + 1).ToList();
        var page = all.Take(coql.Limit).ToList();
        knobs.SpendCredit(page.Count <= 200 ? 0 : page.Count <= 1000 ? 1 : 2);   // the request's first credit is spent already
        if (page.Count == 0)
        {
            ctx.Response.StatusCode = 204;
            return;
        }
        await WriteJsonAsync(ctx, 200, w =>
        {
            w.WriteStartArray("data");
            foreach (var r in page) WriteRecord(w, r, coql.Fields);
            w.WriteEndArray();
            w.WriteStartObject("info");
            w.WriteNumber("count", page.Count);
            w.WriteBoolean("more_records", all.Count > coql.Limit);
            w.WriteEndObject();
        }).ConfigureAwait(false);
    }

    private static void WriteRecord(Utf8JsonWriter w, SimRecord r, IEnumerable<string> fields)
    {
        w.WriteStartObject();
        w.WriteString("id", r.Id);   // always returned, as a string
        foreach (var f in fields.Where(f => !f.Equals("id", StringComparison.OrdinalIgnoreCase)))
        {
            var name = SimRecordStore.FieldNames.First(n => n.Equals(f, StringComparison.OrdinalIgnoreCase));
            switch (r.Fields[name])
            {
                case null: w.WriteNull(name); break;
                case long l: w.WriteNumber(name, l); break;
                case DateTimeOffset t: w.WriteString(name, t.ToString("yyyy-MM-ddTHH:mm:sszzz", CultureInfo.InvariantCulture)); break;
                case SimOwner o:
                    w.WriteStartObject(name);
                    w.WriteString("name", o.Name);
                    w.WriteString("id", o.Id);
                    w.WriteEndObject();
                    break;
                case var v: w.WriteString(name, v.ToString()); break;
            }
        }
        w.WriteEndObject();
    }

    // Opaque to clients: the parameters it is bound to and where the next page starts.
    private static string PageToken(string bound, int offset) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes($"{offset}\n{bound}"));

    private static bool TryReadPageToken(string token, out string bound, out int offset)
    {
        bound = "";
        offset = 0;
        try
        {
            var parts = Encoding.UTF8.GetString(Convert.FromBase64String(token)).Split('\n', 2);
            if (parts.Length != 2 || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out offset)) return false;
            bound = parts[1];
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }
}
