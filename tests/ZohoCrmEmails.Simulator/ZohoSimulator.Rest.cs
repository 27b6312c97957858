using System.Globalization;
using System.Text.Json;

namespace ZohoCrmEmails.Simulator;

// A few of Zoho's other calls, for Invoke-ZcrmRestMethod: GET users (paged by page number), GET org, and two of the
// simulator's own: __echo answers any method with the JSON body it was sent, __text answers plain text.
public sealed partial class ZohoSimulator
{
    private async Task RestAsync(HttpContext ctx, SimulatorKnobs knobs, string what)
    {
        switch (what)
        {
            case "users" when ctx.Request.Method == "GET":
                var page = int.TryParse(ctx.Request.Query["page"].FirstOrDefault() ?? "1", NumberStyles.None, CultureInfo.InvariantCulture, out var p) && p > 0 ? p : 1;
                var perPage = int.TryParse(ctx.Request.Query["per_page"].FirstOrDefault() ?? "200", NumberStyles.None, CultureInfo.InvariantCulture, out var pp) && pp > 0 ? pp : 200;
                var users = Enumerable.Range(1, knobs.UserCount).Skip((page - 1) * perPage).Take(perPage).ToList();
                if (users.Count == 0)
                {
                    ctx.Response.StatusCode = 204;
                    return;
                }
                await WriteJsonAsync(ctx, 200, w =>
                {
                    w.WriteStartArray("users");
                    foreach (var n in users)
                    {
                        w.WriteStartObject();
                        w.WriteString("id", (4150868000000300000 + n).ToString(CultureInfo.InvariantCulture));
                        w.WriteString("full_name", $"User {n}");
                        w.WriteString("email", $"user{n}@crm.example.com");
                        w.WriteBoolean("confirm", true);
                        w.WriteEndObject();
                    }
                    w.WriteEndArray();
                    w.WriteStartObject("info");
                    w.WriteNumber("per_page", perPage);
                    w.WriteNumber("count", users.Count);
                    w.WriteNumber("page", page);
                    w.WriteBoolean("more_records", page * perPage < knobs.UserCount);
                    w.WriteEndObject();
                }).ConfigureAwait(false);
                return;
            case "org" when ctx.Request.Method == "GET":
                await WriteJsonAsync(ctx, 200, w =>
                {
                    w.WriteStartArray("org");
                    w.WriteStartObject();
                    w.WriteString("company_name", "Acme Simulated Ltd");
                    w.WriteString("id", "4150868000000000001");
                    w.WriteEndObject();
                    w.WriteEndArray();
                }).ConfigureAwait(false);
                return;
            case "__echo":
                JsonElement? sent = null;
                if (ctx.Request.ContentLength is > 0 || ctx.Request.Headers.TransferEncoding.Count > 0)
                {
                    using var body = await JsonDocument.ParseAsync(ctx.Request.Body).ConfigureAwait(false);
                    sent = body.RootElement.Clone();
                }
                await WriteJsonAsync(ctx, 200, w =>
                {
                    w.WriteStartArray("data");
                    w.WriteStartObject();
                    w.WriteString("code", "SUCCESS");
                    w.WriteString("method", ctx.Request.Method);
                    w.WritePropertyName("details");
                    if (sent is { } s) s.WriteTo(w); else w.WriteNullValue();
                    w.WriteEndObject();
                    w.WriteEndArray();
                }).ConfigureAwait(false);
                return;
            case "__text" when ctx.Request.Method == "GET":
                ctx.Response.StatusCode = 200;
                ctx.Response.ContentType = "text/plain; charset=utf-8";
                await ctx.Response.WriteAsync("plain text, not JSON; you sent " + (knobs.EchoSecrets ? ctx.Request.Headers.Authorization.ToString() : "a request")).ConfigureAwait(false);
                return;
            default:
                await ErrorAsync(ctx, 405, "INVALID_REQUEST_METHOD", "The http request method type is not a valid one").ConfigureAwait(false);
                return;
        }
    }
}
