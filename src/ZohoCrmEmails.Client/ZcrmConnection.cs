using System.Net;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.DependencyInjection;
using ZohoCrmEmails.Http;
using ZohoCrmEmails.Models;

namespace ZohoCrmEmails;

/// <summary>One page of a record's e-mails.</summary>
public sealed record ZcrmEmailPage(IReadOnlyList<ZcrmEmail> Emails, ZcrmPageInfo? Info)
{
    public bool MoreRecords => Info?.MoreRecords == true;
    public string? NextIndex => Info?.NextIndex;
}

/// <summary>
/// A connection to one Zoho CRM organisation: the HTTP pipeline (auth, adaptive concurrency, retries, tracing),
/// the cached access token, and the calls. Thread-safe; share one across all calls. Shows no secret.
/// </summary>
public sealed class ZcrmConnection : IDisposable
{
    private volatile bool _closed;
    private const string ApiClient = "ZohoCrmEmails.Api";
    private const string AccountsClient = "ZohoCrmEmails.Accounts";
    private readonly ZcrmConnectionOptions _options;
    private readonly ServiceProvider _services;
    private readonly HttpClient _api;
    private readonly TokenProvider _tokens;
    private long _creditsRemaining = -1;

    public ZcrmConnection(ZcrmConnectionOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        Limiter = new AdaptiveConcurrencyLimiter(options.MaxConcurrentRequests);

        var services = new ServiceCollection();
        // Connections are pooled and reused across calls; the handler lives as long as the connection, and
        // PooledConnectionLifetime still lets DNS changes in.
        services.AddHttpClient(ApiClient)
            .ConfigurePrimaryHttpMessageHandler(CreatePrimaryHandler)
            .SetHandlerLifetime(Timeout.InfiniteTimeSpan)
            .AddHttpMessageHandler(() => new RetryHandler(options.Retry, options.TimeProvider))
            .AddHttpMessageHandler(() => new AdaptiveConcurrencyHandler(Limiter))
            .AddHttpMessageHandler(() => new AuthHandler(_tokens!))
            .AddHttpMessageHandler(() => new WireHandler(options.RequestTimeout, Counters))
            .ConfigureHttpClient(c => c.Timeout = Timeout.InfiniteTimeSpan);
        services.AddHttpClient(AccountsClient)
            .ConfigurePrimaryHttpMessageHandler(CreatePrimaryHandler)
            .SetHandlerLifetime(Timeout.InfiniteTimeSpan)
            .AddHttpMessageHandler(() => new RetryHandler(options.Retry, options.TimeProvider))
            .AddHttpMessageHandler(() => new WireHandler(options.RequestTimeout, Counters))
            .ConfigureHttpClient(c => c.Timeout = Timeout.InfiniteTimeSpan);
        _services = services.BuildServiceProvider();
        var factory = _services.GetRequiredService<IHttpClientFactory>();
        _tokens = new TokenProvider(options, factory.CreateClient(AccountsClient));
        _api = factory.CreateClient(ApiClient);
    }

    private static HttpMessageHandler CreatePrimaryHandler() => new SocketsHttpHandler
    {
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        AutomaticDecompression = DecompressionMethods.All,
        // A redirect could carry the Authorization header to another host.
        AllowAutoRedirect = false,
        UseCookies = false,
    };

    public ZcrmDataCenter DataCenter => _options.DataCenter;
    public Uri AccountsUrl => _options.AccountsUrl ?? ZcrmDataCenters.AccountsUrl(_options.DataCenter);
    /// <summary>An explicit override first, then the domain returned with the token, then the data centre's.</summary>
    public Uri ApiDomain => _options.ApiDomain ?? _tokens.Current?.ApiDomain ?? ZcrmDataCenters.ApiDomain(_options.DataCenter);
    public string ApiVersion => _options.ApiVersion;
    public DateTimeOffset? TokenExpiresAt => _tokens.Current?.ExpiresAt;
    public bool CanRenewToken => _tokens.CanRenew;
    /// <summary>X-API-CREDITS-REMAINING as last seen (Zoho sends it once half the day's credits are used).</summary>
    public long? ApiCreditsRemaining => Interlocked.Read(ref _creditsRemaining) is var c && c >= 0 ? c : null;
    public long RequestsSent => Counters.RequestsSent;
    public long TokenRequests => _tokens.TokenRequests;
    public int ConcurrencyLimit => Limiter.CurrentLimit;

    internal ZcrmRequestCounters Counters { get; } = new();
    internal AdaptiveConcurrencyLimiter Limiter { get; }

    /// <summary>Obtains (or checks the cache for) an access token: proves the credentials before any data call.</summary>
    public async Task ConnectAsync(CancellationToken ct = default)
    {
        ThrowIfClosed();
        await _tokens.GetAccessTokenAsync(null, ct).ConfigureAwait(false);
    }

    /// <summary>One page of a record's e-mails; <paramref name="index"/> is the previous page's cursor.</summary>
    public async Task<ZcrmEmailPage> GetEmailPageAsync(string module, string recordId, ZcrmEmailQuery? query = null,
        string? index = null, CancellationToken ct = default, SemaphoreSlim? gate = null)
    {
        InputValidator.EmailList(module, recordId, query);
        return await ReadPageAsync(module, recordId, query, index, gate, ct).ConfigureAwait(false);
    }

    // The request itself, for input already validated (Pages validates once, not once per page).
    private async Task<ZcrmEmailPage> ReadPageAsync(string module, string recordId, ZcrmEmailQuery? query, string? index,
        SemaphoreSlim? gate, CancellationToken ct)
    {
        var qs = new List<string>(3);
        if (query?.Type is { } type) qs.Add("type=" + type.ToWireName());
        if (query?.OwnerId is { } owner) qs.Add("owner_id=" + Uri.EscapeDataString(owner));
        // Cursors may hold + = & and must travel encoded.
        if (index is not null) qs.Add("index=" + Uri.EscapeDataString(index));
        var path = $"/crm/{ApiVersion}/{module}/{recordId}/Emails" + (qs.Count > 0 ? "?" + string.Join("&", qs) : "");

        return await SendAsync(path, gate, (response, body, request) =>
        {
            var page = ReadEmailPage(response, body, request, module, recordId);
            return (page, page.Emails.Count);
        }, ct).ConfigureAwait(false);
    }

    /// <summary>One list response into models: a single parse of the body, straight into the typed e-mails.</summary>
    internal static ZcrmEmailPage ReadEmailPage(HttpResponseMessage response, byte[] body, string request, string module, string recordId)
    {
        if (ZcrmResponses.IsEmpty(response))
            return new ZcrmEmailPage([], null);
        var envelope = ZcrmResponses.Parse(body, ZcrmJsonContext.Default.EmailListEnvelope, (int)response.StatusCode, request);
        var emails = envelope.Emails ?? envelope.LegacyEmails ?? [];
        foreach (var e in emails)
        {
            e.Module = module;
            e.RecordId = recordId;
        }
        if (envelope.Info is { MoreRecords: true, NextIndex: null or "" })
            throw new ZcrmException(ZcrmErrorCodes.InvalidResponse, ZcrmErrorKind.InvalidResponse,
                "Zoho CRM said more e-mails follow but sent no cursor for them.", (int)response.StatusCode, request);
        return new ZcrmEmailPage(emails, envelope.Info);
    }

    /// <summary>
    /// A record's e-mails, lazily: a page is requested only when the e-mail past the previous page is asked for.
    /// Bad input throws here, before any request.
    /// </summary>
    public IAsyncEnumerable<ZcrmEmail> GetEmails(string module, string recordId, ZcrmEmailQuery? query = null)
    {
        InputValidator.EmailList(module, recordId, query);
        return Flatten(Pages(module, recordId, query, includeContent: false, gate: null));
    }

    private static async IAsyncEnumerable<ZcrmEmail> Flatten(IAsyncEnumerable<IReadOnlyList<ZcrmEmail>> pages,
        [EnumeratorCancellation] CancellationToken ct = default)
    {
        await foreach (var page in pages.WithCancellation(ct).ConfigureAwait(false))
            foreach (var email in page)
                yield return email;
    }

    /// <summary>A record's e-mails page by page, lazily; with <paramref name="includeContent"/> each e-mail is read in full.</summary>
    public IAsyncEnumerable<IReadOnlyList<ZcrmEmail>> GetEmailPages(string module, string recordId, ZcrmEmailQuery? query = null,
        bool includeContent = false, SemaphoreSlim? gate = null)
    {
        InputValidator.EmailList(module, recordId, query);
        return Pages(module, recordId, query, includeContent, gate);
    }

    private async IAsyncEnumerable<IReadOnlyList<ZcrmEmail>> Pages(string module, string recordId, ZcrmEmailQuery? query,
        bool includeContent, SemaphoreSlim? gate, [EnumeratorCancellation] CancellationToken ct = default)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        string? index = null;
        while (true)
        {
            var page = await ReadPageAsync(module, recordId, query, index, gate, ct).ConfigureAwait(false);
            if (page.Emails.Count > 0)
                yield return includeContent ? await WithContentAsync(page.Emails, query?.OwnerId, gate, ct).ConfigureAwait(false) : page.Emails;
            if (page.Emails.Count == 0 || !page.MoreRecords)
                yield break;
            if (!seen.Add(page.NextIndex!))
                throw new ZcrmException(ZcrmErrorCodes.RepeatingCursor, ZcrmErrorKind.InvalidResponse,
                    $"Zoho CRM sent the cursor '{page.NextIndex}' a second time for {module}/{recordId}; stopped rather than loop forever. " +
                    $"The {seen.Count * 10} or so e-mails before it were returned.",
                    200, $"GET /crm/{ApiVersion}/{module}/{recordId}/Emails");
            index = page.NextIndex;
        }
    }

    // Bodies of one page are fetched concurrently (within the caller's gate) and returned in the page's order.
    private async Task<IReadOnlyList<ZcrmEmail>> WithContentAsync(IReadOnlyList<ZcrmEmail> emails, string? ownerId, SemaphoreSlim? gate, CancellationToken ct)
    {
        foreach (var e in emails) InputValidator.MessageId(e.MessageId);   // a listed e-mail without an id cannot be read
        var tasks = new Task<ZcrmEmail>[emails.Count];
        for (var i = 0; i < emails.Count; i++)
            tasks[i] = ReadEmailAsync(emails[i].Module, emails[i].RecordId, emails[i].MessageId, ownerId, gate, ct);
        return await Task.WhenAll(tasks).ConfigureAwait(false);
    }

    /// <summary>One e-mail with its body and attachments. <paramref name="ownerId"/> reads a shared user's mail.</summary>
    public async Task<ZcrmEmail> GetEmailAsync(string module, string recordId, string messageId, string? ownerId = null,
        CancellationToken ct = default, SemaphoreSlim? gate = null)
    {
        InputValidator.Email(module, recordId, messageId, ownerId);
        return await ReadEmailAsync(module, recordId, messageId, ownerId, gate, ct).ConfigureAwait(false);
    }

    // The request itself; IncludeContent calls it for e-mails of a record already validated.
    private async Task<ZcrmEmail> ReadEmailAsync(string module, string recordId, string messageId, string? ownerId,
        SemaphoreSlim? gate, CancellationToken ct)
    {
        var path = $"/crm/{ApiVersion}/{module}/{recordId}/Emails/{Uri.EscapeDataString(messageId)}"
            + (ownerId is null ? "" : "?owner_id=" + Uri.EscapeDataString(ownerId));
        return await SendAsync(path, gate, (response, body, request) =>
        {
            var envelope = ZcrmResponses.IsEmpty(response)
                ? null
                : ZcrmResponses.Parse(body, ZcrmJsonContext.Default.EmailListEnvelope, (int)response.StatusCode, request);
            var email = (envelope?.Emails ?? envelope?.LegacyEmails)?.FirstOrDefault()
                ?? throw new ZcrmException(ZcrmErrorCodes.EmailNotFound, ZcrmErrorKind.NotFound,
                    $"Zoho CRM returned no e-mail for message id '{messageId}' on {module}/{recordId}.", (int)response.StatusCode, request);
            email.Module = module;
            email.RecordId = recordId;
            return (email, 1);
        }, ct).ConfigureAwait(false);
    }

    /// <summary>Which users' mailboxes (and which kinds of e-mail) can be seen on a record.</summary>
    public async Task<IReadOnlyList<ZcrmEmailSharing>> GetSharingAsync(string module, string recordId, CancellationToken ct = default,
        SemaphoreSlim? gate = null)
    {
        InputValidator.Record(module, recordId);
        var path = $"/crm/{ApiVersion}/{module}/{recordId}/__emails_sharing_details";
        return await SendAsync<IReadOnlyList<ZcrmEmailSharing>>(path, gate, (response, body, request) =>
        {
            if (ZcrmResponses.IsEmpty(response)) return ([], 0);
            var list = ZcrmResponses.Parse(body, ZcrmJsonContext.Default.SharingEnvelope, (int)response.StatusCode, request).Sharing ?? [];
            foreach (var s in list)
            {
                s.Module = module;
                s.RecordId = recordId;
            }
            return (list, list.Count);
        }, ct).ConfigureAwait(false);
    }

    private async Task<T> SendAsync<T>(string pathAndQuery, SemaphoreSlim? gate,
        Func<HttpResponseMessage, byte[], string, (T Result, int Items)> read, CancellationToken ct)
    {
        ThrowIfClosed();
        var description = "GET " + pathAndQuery;
        if (gate is not null) await gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            var token = await _tokens.GetAccessTokenAsync(null, ct).ConfigureAwait(false);
            var baseUri = (_options.ApiDomain ?? token.ApiDomain ?? ZcrmDataCenters.ApiDomain(_options.DataCenter)).GetLeftPart(UriPartial.Authority);
            using var request = new HttpRequestMessage(HttpMethod.Get, baseUri + pathAndQuery);
            var state = new RequestState(description, authenticated: true);
            request.Options.Set(RequestState.Key, state);
            using var response = await ZcrmResponses.SendTracedAsync(_api, request, ct).ConfigureAwait(false);
            int? items = null;
            try
            {
                if (ZcrmResponses.CreditsRemaining(response) is { } credits)
                {
                    Interlocked.Exchange(ref _creditsRemaining, credits);
                    ZcrmTrace.Current?.OnCreditsRemaining(credits);
                }
                if (!response.IsSuccessStatusCode)
                    throw ZcrmResponses.Error(response, description);
                var body = await response.Content.ReadAsByteArrayAsync(ct).ConfigureAwait(false);
                var (result, count) = read(response, body, description);
                items = count;
                return result;
            }
            finally
            {
                ZcrmResponses.Emit(state, items);
            }
        }
        finally
        {
            gate?.Release();
        }
    }

    public override string ToString() => $"Zoho CRM {DataCenter} ({ApiDomain.GetLeftPart(UriPartial.Authority)}, {ApiVersion})";

    /// <summary>A closed connection (Disconnect-Zcrm) says so, rather than failing inside HttpClient.</summary>
    private void ThrowIfClosed()
    {
        if (_closed)
            throw new ZcrmException(ZcrmErrorCodes.NotConnected, ZcrmErrorKind.Authentication,
                "This Zoho CRM connection was closed (Disconnect-Zcrm). Connect again.");
    }

    public void Dispose()
    {
        _closed = true;
        _api.Dispose();
        _services.Dispose();
    }
}
