using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;

namespace ZohoCrmEmails.Simulator;

/// <summary>
/// A Kestrel fake of Zoho's accounts server and CRM e-mail API on 127.0.0.1: the contract's envelopes, status codes
/// and error bodies, opaque cursors, ten e-mails a page, token checks, fault knobs and request counters.
/// </summary>
public sealed partial class ZohoSimulator : IAsyncDisposable
{
    public const int PageSize = 10;
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, IssuedToken> _tokens = new();
    private long _tokenSerial;

    private ZohoSimulator(WebApplication app) => _app = app;

    public SimulatorKnobs Knobs { get; private set; } = new();
    public SimulatorStats Stats { get; } = new();
    public Uri BaseUri { get; private set; } = null!;

    /// <summary>Starts on 127.0.0.1; port 0 picks a free one.</summary>
    public static async Task<ZohoSimulator> StartAsync(int port = 0, SimulatorKnobs? knobs = null)
    {
        await Latency.CalibrateAsync().ConfigureAwait(false);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, port));
        var app = builder.Build();
        var sim = new ZohoSimulator(app);
        if (knobs is not null) sim.Knobs = knobs;
        app.Run(sim.HandleAsync);
        await app.StartAsync().ConfigureAwait(false);
        var address = app.Services.GetService(typeof(IServer)) is IServer server
            ? server.Features.Get<IServerAddressesFeature>()!.Addresses.First()
            : throw new InvalidOperationException("No server.");
        sim.BaseUri = new Uri(address.Replace("[::]", "127.0.0.1").Replace("localhost", "127.0.0.1"));
        return sim;
    }

    /// <summary>Fresh knobs and counters, and every issued token forgotten.</summary>
    public void Reset()
    {
        Knobs = new SimulatorKnobs();
        Stats.Reset();
        _tokens.Clear();
        Records.Clear();
    }

    /// <summary>Makes every access token issued so far invalid (as if each had expired).</summary>
    public void ExpireAllTokens() => _tokens.Clear();

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }

    private sealed class IssuedToken(DateTimeOffset expiresAt, int? requestsLeft)
    {
        public DateTimeOffset ExpiresAt { get; } = expiresAt;
        public int RequestsLeft = requestsLeft ?? int.MaxValue;
    }

    private async Task HandleAsync(HttpContext ctx)
    {
        var path = ctx.Request.Path.Value ?? "";
        if (path.StartsWith("/__sim/", StringComparison.Ordinal))
        {
            await ControlAsync(ctx, path).ConfigureAwait(false);
            return;
        }
        if (path == "/oauth/v2/token")
        {
            Stats.Count(SimRoute.Token);
            Stats.Record(ctx.Request.Method + " " + ctx.Features.Get<IHttpRequestFeature>()!.RawTarget);
            await TokenAsync(ctx).ConfigureAwait(false);
            return;
        }
        Stats.Enter();
        try
        {
            await CrmAsync(ctx, System.Diagnostics.Stopwatch.GetTimestamp()).ConfigureAwait(false);
        }
        finally
        {
            Stats.Leave();
        }
    }

    // ---------------------------------------------------------------- accounts

    private async Task TokenAsync(HttpContext ctx)
    {
        ctx.Request.EnableBuffering();
        var form = ctx.Request.HasFormContentType ? await ctx.Request.ReadFormAsync().ConfigureAwait(false) : null;
        string? Field(string name) => form?[name].FirstOrDefault() ?? ctx.Request.Query[name].FirstOrDefault();
        var knobs = Knobs;

        if (ctx.Request.Method != "POST")
        {
            await WriteJsonAsync(ctx, 405, w => { w.WriteString("error", "invalid_request"); }).ConfigureAwait(false);
            return;
        }
        // Zoho answers authentication failures with HTTP 200 and an error field.
        string? error =
            knobs.ThrottleTokenEndpoint ? "Access Denied"
            : Field("grant_type") != "refresh_token" ? "unsupported_grant_type"
            : SimCredentials.Clients.Where(c => c.ClientId == Field("client_id")).Select(c => ((string, string, string)?)c).FirstOrDefault() is not var (_, secret, refresh) ? "invalid_client"
            : Field("client_secret") != secret ? "invalid_client_secret"
            : Field("refresh_token") != refresh || knobs.RevokeRefreshToken ? "invalid_code"
            : null;
        if (error is not null)
        {
            ctx.Request.Body.Position = 0;
            var requestBody = await new StreamReader(ctx.Request.Body).ReadToEndAsync().ConfigureAwait(false);
            await WriteJsonAsync(ctx, 200, w =>
            {
                w.WriteString("error", error);
                if (error == "Access Denied")
                {
                    w.WriteString("error_description", "You have made too many requests continuously. Please try again after some time.");
                    w.WriteString("status", "failure");
                }
                else if (knobs.EchoSecrets)
                {
                    w.WriteString("error_description", "could not process " + requestBody + " " + ctx.Request.QueryString);
                }
            }).ConfigureAwait(false);
            return;
        }

        var token = SimCredentials.AccessTokenPrefix + Interlocked.Increment(ref _tokenSerial).ToString("d6") + "-" + Guid.NewGuid().ToString("N")[..12]
            + knobs.AccessTokenSuffix;
        _tokens[token] = new IssuedToken(DateTimeOffset.UtcNow.AddSeconds(knobs.TokenLifetimeSeconds), knobs.TokenExpiresAfterRequests);
        await WriteJsonAsync(ctx, 200, w =>
        {
            w.WriteString("access_token", token);
            w.WriteString("api_domain", knobs.TokenApiDomain ?? BaseUri.GetLeftPart(UriPartial.Authority));
            w.WriteString("token_type", "Bearer");
            if (knobs.LegacyTokenExpiry)
            {
                w.WriteNumber("expires_in_sec", knobs.TokenLifetimeSeconds);
                w.WriteNumber("expires_in", knobs.TokenLifetimeSeconds * 1000L);
            }
            else
            {
                w.WriteNumber("expires_in", knobs.TokenLifetimeSeconds);
            }
        }).ConfigureAwait(false);
    }

    // ---------------------------------------------------------------- CRM

    private async Task CrmAsync(HttpContext ctx, long arrival)
    {
        var knobs = Knobs;
        var raw = ctx.Features.Get<IHttpRequestFeature>()!.RawTarget;
        Stats.Record(ctx.Request.Method + " " + raw);
        var pathPart = raw.Split('?', 2)[0];
        var segments = pathPart.Split('/', StringSplitOptions.RemoveEmptyEntries).Select(Uri.UnescapeDataString).ToArray();

        // /crm/{version}/{module}/{record}/Emails[/{message}] | /crm/{version}/{module}/{record}/__emails_sharing_details
        var route = segments switch
        {
            ["crm", _, "coql"] => SimRoute.Coql,
            ["crm", _, "users" or "org" or "__echo" or "__text"] => SimRoute.Other,
            ["crm", _, _] => SimRoute.Records,
            ["crm", _, _, "actions", "count"] => SimRoute.Count,
            ["crm", _, _, _, "Emails"] => SimRoute.List,
            ["crm", _, _, _, "Emails", _] => SimRoute.Detail,
            ["crm", _, _, _, "Emails", "actions", "download_attachments"] => SimRoute.Download,
            ["crm", _, _, _, "__emails_sharing_details"] => SimRoute.Sharing,
            _ => SimRoute.Other,
        };
        Stats.Count(route);
        // Zoho's concurrency cap counts the calls being served when this one arrives; one refused takes no slot.
        var slot = knobs.ConcurrencyCap is not { } cap || Stats.TryTakeSlot(cap - knobs.OtherLoadNow());
        try
        {
            await CrmAnswerAsync(ctx, knobs, route, segments, arrival, refused: !slot || knobs.TakeSporadic429()).ConfigureAwait(false);
        }
        finally
        {
            if (slot && knobs.ConcurrencyCap is not null) Stats.ReleaseSlot();
        }
    }

    private async Task CrmAnswerAsync(HttpContext ctx, SimulatorKnobs knobs, SimRoute route, string[] segments, long arrival, bool refused)
    {
        if (knobs.LatencyMs > 0)
            await Latency.WaitAsync(arrival, knobs.LatencyMs, ctx.RequestAborted).ConfigureAwait(false);
        if (knobs.TakeCloseWithoutAnswer())
        {
            ctx.Abort();
            return;
        }
        if (knobs.EchoSecrets)
            ctx.Response.Headers["X-Echo"] = "you sent " + ctx.Request.Headers.Authorization;

        if (!Authorized(ctx, out var authError))
        {
            await ErrorAsync(ctx, 401, authError, authError == "AUTHENTICATION_FAILURE" ? "Authentication failed" : "invalid oauth token").ConfigureAwait(false);
            return;
        }
        if (knobs.ScopeMismatch)
        {
            await ErrorAsync(ctx, 401, "OAUTH_SCOPE_MISMATCH", "invalid oauth scope to access this URL").ConfigureAwait(false);
            return;
        }
        if (refused)
        {
            Stats.CountRefused();
            await ErrorAsync(ctx, 429, "TOO_MANY_REQUESTS", "You have made too many requests at the same time").ConfigureAwait(false);
            return;
        }
        var rest = route == SimRoute.Other && segments is ["crm", _, "users" or "org" or "__echo" or "__text"];
        if (!rest && (route == SimRoute.Other || ctx.Request.Method != (route == SimRoute.Coql ? "POST" : "GET")))
        {
            await ErrorAsync(ctx, 404, "INVALID_URL_PATTERN", "Please check if the URL trying to access is a correct one").ConfigureAwait(false);
            return;
        }
        if (knobs.TakeSlowResponse())
            await Task.Delay(knobs.SlowResponseMs, ctx.RequestAborted).ConfigureAwait(false);
        if (knobs.CreditsTotal is { } total)
        {
            var used = knobs.SpendCredit();   // this request's included
            var left = total - used;
            if (left >= 0 && left <= total / 2 && !knobs.CreditsWithoutHeader)
                ctx.Response.Headers["X-API-CREDITS-REMAINING"] = left.ToString();
            if (left < 0)   // none was left for this one
            {
                if (!knobs.CreditsWithoutHeader) ctx.Response.Headers["X-API-CREDITS-REMAINING"] = "0";
                Stats.CountRefused();
                await ErrorAsync(ctx, 429, "TOO_MANY_REQUESTS", "You have exceeded the API credits for the day").ConfigureAwait(false);
                return;
            }
        }
        if (knobs.TakeCannotProcess())
        {
            await ErrorAsync(ctx, 400, "CANNOT_PROCESS", "the request cannot be processed",
                ("reason", "An IMAP sync is in progress for this mailbox. Please try after some time.")).ConfigureAwait(false);
            return;
        }
        if (knobs.TakeFail429())
        {
            Stats.CountRefused();
            if (knobs.RetryAfter is { } after)
                ctx.Response.Headers.RetryAfter = after.StartsWith("date:", StringComparison.Ordinal)
                    ? DateTimeOffset.UtcNow.AddSeconds(int.Parse(after[5..])).ToString("R")
                    : after;
            await ErrorAsync(ctx, 429, "TOO_MANY_REQUESTS", "You have made too many requests within a short period of time").ConfigureAwait(false);
            return;
        }
        if (knobs.TakeFail5xx())
        {
            await ErrorAsync(ctx, knobs.Status5xx, "INTERNAL_ERROR", "Internal Server Error").ConfigureAwait(false);
            return;
        }
        if (knobs.CreditsRemaining is { } credits)
            ctx.Response.Headers["X-API-CREDITS-REMAINING"] = credits.ToString();

        if (route == SimRoute.Coql)
        {
            await CoqlAsync(ctx, knobs).ConfigureAwait(false);
            return;
        }
        if (rest)
        {
            await RestAsync(ctx, knobs, segments[2]).ConfigureAwait(false);
            return;
        }
        var module = segments[2];
        if (route is SimRoute.Records or SimRoute.Count)
        {
            if (!SimRecords.Modules.Contains(module))
                await ErrorAsync(ctx, 400, "INVALID_MODULE", "the module name given seems to be invalid", ("resource_path_index", "1")).ConfigureAwait(false);
            else if (route == SimRoute.Records)
                await RecordsAsync(ctx, knobs, module).ConfigureAwait(false);
            else
                await CountAsync(ctx, knobs, module).ConfigureAwait(false);
            return;
        }
        var recordId = segments[3];
        if (!SimRecords.Modules.Contains(module))
        {
            await ErrorAsync(ctx, 400, "INVALID_MODULE", "the module name given seems to be invalid", ("resource_path_index", "1")).ConfigureAwait(false);
            return;
        }
        if (!ulong.TryParse(recordId, out _) || recordId == SimRecords.InvalidRecord)
        {
            await ErrorAsync(ctx, 400, "INVALID_DATA", "the id given seems to be invalid", ("resource_path_index", "2")).ConfigureAwait(false);
            return;
        }
        if (recordId == SimRecords.NoPermission)
        {
            await ErrorAsync(ctx, 403, "NO_PERMISSION", "permission denied").ConfigureAwait(false);
            return;
        }

        if (knobs.OverrideBody is { } overrideBody)
        {
            ctx.Response.StatusCode = 200;
            ctx.Response.ContentType = "application/json;charset=UTF-8";
            await ctx.Response.WriteAsync(overrideBody).ConfigureAwait(false);
            return;
        }
        if (knobs.HugeBodyBytes is { } huge)
        {
            await HugeBodyAsync(ctx, huge, knobs.HugeBodyDeclaresLength).ConfigureAwait(false);
            return;
        }
        switch (route)
        {
            case SimRoute.List: await ListAsync(ctx, knobs, segments[1], module, recordId).ConfigureAwait(false); break;
            case SimRoute.Detail: await DetailAsync(ctx, knobs, segments[1], module, recordId, segments[5]).ConfigureAwait(false); break;
            case SimRoute.Download: await DownloadAsync(ctx, knobs, module, recordId).ConfigureAwait(false); break;
            default: await SharingAsync(ctx, knobs, module, recordId).ConfigureAwait(false); break;
        }
    }

    private bool Authorized(HttpContext ctx, out string error)
    {
        error = "AUTHENTICATION_FAILURE";
        var header = ctx.Request.Headers.Authorization.ToString();
        const string scheme = "Zoho-oauthtoken ";
        if (!header.StartsWith(scheme, StringComparison.Ordinal)) return false;
        var token = header[scheme.Length..];
        error = "INVALID_TOKEN";
        if (token == SimCredentials.StaticAccessToken) return true;
        if (!_tokens.TryGetValue(token, out var issued) || issued.ExpiresAt <= DateTimeOffset.UtcNow) return false;
        return Interlocked.Decrement(ref issued.RequestsLeft) >= 0;
    }

    private async Task ListAsync(HttpContext ctx, SimulatorKnobs knobs, string version, string module, string recordId)
    {
        if (knobs.EmptyPagesForever)
        {
            await WriteJsonAsync(ctx, 200, w =>
            {
                w.WriteStartArray("Emails");
                w.WriteEndArray();
                w.WriteStartObject("info");
                w.WriteString("next_index", Guid.NewGuid().ToString("N"));
                w.WriteBoolean("more_records", true);
                w.WriteEndObject();
            }).ConfigureAwait(false);
            return;
        }
        var type = ctx.Request.Query["type"].FirstOrDefault();
        var owner = ctx.Request.Query["owner_id"].FirstOrDefault();
        var index = ctx.Request.Query["index"].FirstOrDefault();
        if (type is not null && !SimData.Matches(0, type) && !SimData.Matches(1, type) && !SimData.Matches(3, type) && !SimData.Matches(4, type))
        {
            await ErrorAsync(ctx, 400, "INVALID_DATA", "invalid data", ("param_name", "type")).ConfigureAwait(false);
            return;
        }
        if (owner is not null && type != "user_emails")
        {
            await ErrorAsync(ctx, 400, "INVALID_DATA", "owner_id is allowed only with type user_emails", ("param_name", "owner_id")).ConfigureAwait(false);
            return;
        }
        var offset = 0;
        if (index is not null && !knobs.IgnoreCursor && !TryReadCursor(index, module, recordId, out offset))
        {
            await ErrorAsync(ctx, 400, "INVALID_DATA", "invalid data", ("param_name", "index")).ConfigureAwait(false);
            return;
        }

        var count = Records.EmailCount(module, recordId, knobs);
        // The e-mails of this record that pass the filter, as positions into the record's e-mails.
        var selected = type is null ? null : Enumerable.Range(0, count).Where(i => SimData.Matches(i, type)).ToArray();
        (string Id, string Name)? mailboxOwner = null;
        if (type == "user_emails" && owner is not null && knobs.MailboxEmails is { } mailboxEmails)
        {
            // A shared user's mailbox: the record's first e-mails (also in the caller's view), then the user's own.
            var user = Array.FindIndex(SimData.SharedUsers, u => u.Id == owner);
            if (user < 0)
            {
                await ErrorAsync(ctx, 400, "INVALID_DATA", "the owner id given seems to be invalid", ("param_name", "owner_id")).ConfigureAwait(false);
                return;
            }
            if (owner == knobs.RefuseMailboxOf)
            {
                if (knobs.MailboxRefusal == "NO_PERMISSION")
                    await ErrorAsync(ctx, 403, "NO_PERMISSION", "permission denied to read this user's mailbox").ConfigureAwait(false);
                else
                    await ErrorAsync(ctx, 400, "CANNOT_PROCESS", "the request cannot be processed",
                        ("reason", "An IMAP sync is in progress for this mailbox. Please try after some time.")).ConfigureAwait(false);
                return;
            }
            selected = [.. Enumerable.Range(0, Math.Min(knobs.MailboxOverlap, count)), .. Enumerable.Range(SimData.MailboxBase * (user + 1), mailboxEmails)];
            mailboxOwner = (SimData.SharedUsers[user].Id, SimData.SharedUsers[user].Name);
        }
        var total = selected?.Length ?? count;
        if (offset >= total)
        {
            if (knobs.EmptyListAs200)
                await WriteJsonAsync(ctx, 200, w => { w.WriteStartArray(knobs.LegacyEnvelope ? "email_related_list" : "Emails"); w.WriteEndArray(); }).ConfigureAwait(false);
            else
                ctx.Response.StatusCode = 204;
            return;
        }
        if (await FaultyBodyAsync(ctx, knobs).ConfigureAwait(false)) return;

        var end = Math.Min(offset + PageSize, total);
        var more = end < total;
        var threadAsNumber = knobs.ThreadIdAsNumber || version is "v5" or "v6";
        await WriteJsonAsync(ctx, 200, w =>
        {
            w.WriteStartArray(knobs.LegacyEnvelope ? "email_related_list" : "Emails");
            for (var i = offset; i < end; i++)
                SimData.WriteEmail(w, module, recordId, selected?[i] ?? i, detail: false, threadAsNumber, knobs: knobs, listedOwner: mailboxOwner);
            w.WriteEndArray();
            w.WriteStartObject("info");
            w.WriteNumber("per_page", PageSize);
            w.WriteString("next_index", more ? Cursor(module, recordId, knobs.RepeatingCursor ? PageSize : end) : null);
            w.WriteNumber("count", end - offset);
            w.WriteString("prev_index", offset == 0 ? "0" : Cursor(module, recordId, Math.Max(0, offset - PageSize)));
            w.WriteBoolean("more_records", more);
            w.WriteEndObject();
        }).ConfigureAwait(false);
    }

    private async Task DetailAsync(HttpContext ctx, SimulatorKnobs knobs, string version, string module, string recordId, string messageId)
    {
        if (messageId == knobs.RefuseDetailOf)
        {
            await ErrorAsync(ctx, 403, "NO_PERMISSION", "permission denied to read this e-mail").ConfigureAwait(false);
            return;
        }
        var index = SimData.IndexOf(module, recordId, messageId);
        if (index is not { } i || !SimData.Exists(i, Records.EmailCount(module, recordId, knobs), knobs))
        {
            await ErrorAsync(ctx, 400, "INVALID_DATA", "the message id given seems to be invalid", ("param_name", "message_id")).ConfigureAwait(false);
            return;
        }
        // A shared user's e-mail is read with its owner's id (owner_id, or user_id as the docs name it); a wrong one is refused.
        var owner = SimData.OwnerOf(i, knobs).Id;
        var given = ctx.Request.Query["owner_id"].FirstOrDefault() ?? ctx.Request.Query["user_id"].FirstOrDefault();
        if (given is not null && given != owner)
        {
            await ErrorAsync(ctx, 400, "INVALID_DATA", "the owner id given seems to be invalid", ("param_name", "owner_id")).ConfigureAwait(false);
            return;
        }
        if (given is null && owner != SimData.DefaultOwnerId)
        {
            await ErrorAsync(ctx, 403, "NO_PERMISSION", "the e-mail is in another user's mailbox: give owner_id").ConfigureAwait(false);
            return;
        }
        if (await FaultyBodyAsync(ctx, knobs).ConfigureAwait(false)) return;
        var threadAsNumber = knobs.ThreadIdAsNumber || version is "v5" or "v6";
        await WriteJsonAsync(ctx, 200, w =>
        {
            w.WriteStartArray(knobs.LegacyEnvelope ? "email_related_list" : "Emails");
            var answered = knobs.DetailAnswersAnotherEmail ? (i + 1) % Records.EmailCount(module, recordId, knobs) : i;
            SimData.WriteEmail(w, module, recordId, answered, detail: true, threadAsNumber, SimData.Attachments(recordId, answered, knobs), knobs.ListedAttachmentSizeExtra, knobs);
            w.WriteEndArray();
        }).ConfigureAwait(false);
    }

    private async Task SharingAsync(HttpContext ctx, SimulatorKnobs knobs, string module, string recordId)
    {
        if (await FaultyBodyAsync(ctx, knobs).ConfigureAwait(false)) return;
        switch (knobs.SharingEmpty)
        {
            case "204":
                ctx.Response.StatusCode = 204;
                return;
            case "array":
                await WriteJsonAsync(ctx, 200, w => { w.WriteStartArray("__emails_sharing_details"); w.WriteEndArray(); }).ConfigureAwait(false);
                return;
        }
        await WriteJsonAsync(ctx, 200, w =>
        {
            w.WritePropertyName("__emails_sharing_details");
            if (!knobs.SharingAsObject) w.WriteStartArray();
            w.WriteStartObject();
            w.WriteStartArray("available_types");
            foreach (var t in module == "Accounts"
                         ? new[] { "emails_sent_from_crm", "all_contacts_emails", "all_imap_shared_users", "all_emails" }
                         : ["emails_sent_from_crm", "all_imap_shared_users", "all_emails"])
                w.WriteStringValue(t);
            w.WriteEndArray();
            w.WriteStartArray("share_from_users");
            var users = knobs.SharedUsers ?? (recordId == SimRecords.LeadWithSharing ? 3 : 2);
            foreach (var (id, name, type) in SimData.SharedUsers.Take(users)) Shared(w, id, name, type);
            w.WriteEndArray();
            w.WriteEndObject();
            if (!knobs.SharingAsObject) w.WriteEndArray();
        }).ConfigureAwait(false);

        static void Shared(Utf8JsonWriter w, string id, string name, string type)
        {
            w.WriteStartObject();
            w.WriteString("id", id);
            w.WriteString("name", name);
            w.WriteString("_type", type);
            w.WriteEndObject();
        }
    }

    /// <summary>
    /// download_attachments: the file's bytes, streamed in chunks (never held), with Content-Type, Content-Disposition and
    /// Content-Length, or Zoho's JSON error for ids that do not match.
    /// </summary>
    private async Task DownloadAsync(HttpContext ctx, SimulatorKnobs knobs, string module, string recordId)
    {
        var messageId = ctx.Request.Query["message_id"].FirstOrDefault() ?? "";
        var userId = ctx.Request.Query["user_id"].FirstOrDefault();
        var id = ctx.Request.Query["id"].FirstOrDefault();
        var index = SimData.IndexOf(module, recordId, messageId);
        if (index is not { } i || !SimData.Exists(i, Records.EmailCount(module, recordId, knobs), knobs))
        {
            await ErrorAsync(ctx, 400, "INVALID_DATA", "the message id given seems to be invalid", ("param_name", "message_id")).ConfigureAwait(false);
            return;
        }
        // Zoho's "Download Email Attachments" page marks message_id, user_id, id and name mandatory.
        foreach (var mandatory in new[] { "user_id", "id", "name" })
        {
            if (ctx.Request.Query.ContainsKey(mandatory)) continue;
            await ErrorAsync(ctx, 400, "MANDATORY_NOT_FOUND", "required field not found", ("param_name", mandatory)).ConfigureAwait(false);
            return;
        }
        if (userId != SimData.OwnerOf(i, knobs).Id)
        {
            await ErrorAsync(ctx, 400, "INVALID_DATA", "the user id given seems to be invalid", ("param_name", "user_id")).ConfigureAwait(false);
            return;
        }
        var attachment = SimData.Attachments(recordId, i, knobs).FirstOrDefault(a => a.Id == id);
        if (attachment is null)
        {
            await ErrorAsync(ctx, 400, "INVALID_DATA", "the attachment id given seems to be invalid", ("param_name", "id")).ConfigureAwait(false);
            return;
        }
        if (ctx.Request.Query["name"].FirstOrDefault() != SimData.ListedName(attachment, knobs))
        {
            await ErrorAsync(ctx, 400, "INVALID_DATA", "the attachment name given does not match", ("param_name", "name")).ConfigureAwait(false);
            return;
        }

        ctx.Response.StatusCode = 200;
        ctx.Response.ContentType = attachment.Name.EndsWith(".pdf", StringComparison.OrdinalIgnoreCase) ? "application/pdf" : "application/octet-stream";
        var disposition = new System.Net.Http.Headers.ContentDispositionHeaderValue("attachment");
        if (knobs.AttachmentDisposition == "rfc5987") disposition.FileNameStar = attachment.Name;
        else if (knobs.AttachmentDisposition == "plain")
            disposition.FileName = "\"" + string.Concat(attachment.Name.Where(c => c != '"' && !char.IsControl(c))) + "\"";
        if (knobs.AttachmentDisposition != "none") ctx.Response.Headers.ContentDisposition = disposition.ToString();
        ctx.Response.ContentLength = attachment.Size + knobs.DownloadDeclaredLengthExtra;
        var drop = knobs.TakeDropMidFile();
        var chunk = new byte[64 * 1024];
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        for (long sent = 0; sent < attachment.Size;)
        {
            if (knobs.DownloadBytesPerSecond is { } rate and > 0)
            {
                var due = TimeSpan.FromSeconds((double)sent / rate) - System.Diagnostics.Stopwatch.GetElapsedTime(started);
                if (due > TimeSpan.Zero) await Task.Delay(due, ctx.RequestAborted).ConfigureAwait(false);
            }
            if (drop && sent >= attachment.Size / 2)
            {
                await ctx.Response.Body.FlushAsync().ConfigureAwait(false);
                ctx.Abort();
                return;
            }
            var n = (int)Math.Min(chunk.Length, (drop && sent < attachment.Size / 2 ? attachment.Size / 2 : attachment.Size) - sent);
            if (knobs.TrickleDownloads)
            {
                n = 1;
                await Task.Delay(20, ctx.RequestAborted).ConfigureAwait(false);
            }
            for (var b = 0; b < n; b++) chunk[b] = SimData.AttachmentByte(attachment.Id, sent + b);
            await ctx.Response.Body.WriteAsync(chunk.AsMemory(0, n), ctx.RequestAborted).ConfigureAwait(false);
            if (knobs.TrickleDownloads) await ctx.Response.Body.FlushAsync(ctx.RequestAborted).ConfigureAwait(false);
            sent += n;
        }
        if (knobs.DownloadDeclaredLengthExtra > 0)
        {
            // Fewer bytes than promised: the client must see a broken response, not a complete file.
            await ctx.Response.Body.FlushAsync().ConfigureAwait(false);
            ctx.Abort();
        }
    }

    /// <summary>A 200 body of <paramref name="bytes"/> bytes (-1: endless), written in chunks: the simulator never holds it.</summary>
    private static async Task HugeBodyAsync(HttpContext ctx, long bytes, bool declareLength)
    {
        ctx.Response.StatusCode = 200;
        ctx.Response.ContentType = "application/json";
        if (declareLength && bytes >= 0) ctx.Response.ContentLength = bytes;
        var start = "{\"Emails\":["u8.ToArray();
        var chunk = new byte[64 * 1024];
        Array.Fill(chunk, (byte)' ');
        await ctx.Response.Body.WriteAsync(start, ctx.RequestAborted).ConfigureAwait(false);
        for (var sent = (long)start.Length; bytes < 0 || sent < bytes;)
        {
            var n = bytes < 0 ? chunk.Length : (int)Math.Min(chunk.Length, bytes - sent);
            await ctx.Response.Body.WriteAsync(chunk.AsMemory(0, n), ctx.RequestAborted).ConfigureAwait(false);
            sent += n;
        }
    }

    /// <summary>Dropped connections and malformed JSON, when their knobs say so.</summary>
    private static async Task<bool> FaultyBodyAsync(HttpContext ctx, SimulatorKnobs knobs)
    {
        if (knobs.TakeDropConnection())
        {
            ctx.Response.StatusCode = 200;
            ctx.Response.ContentType = "application/json";
            ctx.Response.ContentLength = 4096;
            await ctx.Response.Body.WriteAsync("{\"Emails\":[{\"cc\":[],"u8.ToArray()).ConfigureAwait(false);
            await ctx.Response.Body.FlushAsync().ConfigureAwait(false);
            ctx.Abort();
            return true;
        }
        if (knobs.TakeMalformedJson())
        {
            ctx.Response.StatusCode = 200;
            ctx.Response.ContentType = "application/json";
            await ctx.Response.Body.WriteAsync("{\"Emails\":[{\"message_id\":\"abc\",\"subject\":"u8.ToArray()).ConfigureAwait(false);
            return true;
        }
        return false;
    }

    // Opaque to clients, and holding + = & so that only a URL-encoded cursor survives the trip.
    private static string Cursor(string module, string recordId, int offset) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes($"{module}|{recordId}|{offset}|sim~cursor")) + "&p=" + offset + "+";

    private static bool TryReadCursor(string cursor, string module, string recordId, out int offset)
    {
        offset = 0;
        var amp = cursor.IndexOf("&p=", StringComparison.Ordinal);
        if (amp < 0) return false;
        try
        {
            var parts = Encoding.UTF8.GetString(Convert.FromBase64String(cursor[..amp])).Split('|');
            return parts.Length == 4 && parts[0] == module && parts[1] == recordId && int.TryParse(parts[2], out offset)
                && offset >= 0 && offset % PageSize == 0 && cursor == Cursor(module, recordId, offset);
        }
        catch (FormatException)
        {
            return false;
        }
    }

    private Task ErrorAsync(HttpContext ctx, int status, string code, string message, params (string Key, string Value)[] details)
    {
        // A hostile server quotes the credentials it was sent back in its error text.
        var echo = Knobs.EchoSecrets ? ctx.Request.Headers.Authorization.ToString() : null;
        if (echo is not null && Knobs.EchoAt > 0)
            message = echo = new string('x', Knobs.EchoAt) + echo;
        return WriteJsonAsync(ctx, status, w =>
        {
            w.WriteString("code", code);
            w.WriteStartObject("details");
            foreach (var (k, v) in details) w.WriteString(k, v);
            if (echo is not null) w.WriteString("authorization", echo);
            w.WriteEndObject();
            w.WriteString("message", echo is null || Knobs.EchoAt > 0 ? message : $"{message} (request authorized with {echo})");
            w.WriteString("status", "error");
        });
    }

    private static async Task WriteJsonAsync(HttpContext ctx, int status, Action<Utf8JsonWriter> body)
    {
        var buffer = new ArrayBufferWriter<byte>(4096);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            body(w);
            w.WriteEndObject();
        }
        ctx.Response.StatusCode = status;
        ctx.Response.ContentType = "application/json;charset=UTF-8";
        ctx.Response.ContentLength = buffer.WrittenCount;
        await ctx.Response.Body.WriteAsync(buffer.WrittenMemory).ConfigureAwait(false);
    }

    // ---------------------------------------------------------------- control (standalone use)

    private async Task ControlAsync(HttpContext ctx, string path)
    {
        switch (path)
        {
            case "/__sim/stats":
                await ctx.Response.WriteAsJsonAsync(Stats.Snapshot()).ConfigureAwait(false);
                break;
            case "/__sim/log":
                await ctx.Response.WriteAsJsonAsync(Stats.Log.ToArray()).ConfigureAwait(false);
                break;
            case "/__sim/reset" when ctx.Request.Method == "POST":
                Reset();
                ctx.Response.StatusCode = 204;
                break;
            case "/__sim/reset-peak" when ctx.Request.Method == "POST":
                Stats.ResetPeak();
                ctx.Response.StatusCode = 204;
                break;
            case "/__sim/new-email" when ctx.Request.Method == "POST":
                // An e-mail arrives on a record: one more to list, its times moved (see the knob newEmailMoves).
                Records.EmailArrived(ctx.Request.Query["module"].FirstOrDefault() ?? "Deals", ctx.Request.Query["id"].FirstOrDefault() ?? "", Knobs);
                ctx.Response.StatusCode = 204;
                break;
            case "/__sim/expire-tokens" when ctx.Request.Method == "POST":
                ExpireAllTokens();
                ctx.Response.StatusCode = 204;
                break;
            case "/__sim/knobs" when ctx.Request.Method == "POST":
                Knobs = await ctx.Request.ReadFromJsonAsync<SimulatorKnobs>(new JsonSerializerOptions(JsonSerializerDefaults.Web)).ConfigureAwait(false) ?? new SimulatorKnobs();
                await ctx.Response.WriteAsJsonAsync(Knobs).ConfigureAwait(false);
                break;
            case "/__sim/knobs":
                await ctx.Response.WriteAsJsonAsync(Knobs).ConfigureAwait(false);
                break;
            default:
                ctx.Response.StatusCode = 404;
                break;
        }
    }
}
