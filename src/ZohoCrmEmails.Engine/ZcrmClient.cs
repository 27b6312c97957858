using System.Net;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using ZohoCrmEmails.Engine.FanOut;
using ZohoCrmEmails.Engine.Http;
using ZohoCrmEmails.Engine.Json;
using ZohoCrmEmails.Engine.Paging;
using ZohoCrmEmails.Models;

namespace ZohoCrmEmails.Engine;

/// <summary>
/// A connection to one Zoho CRM organisation and the calls on it: the HTTP pipeline, the cached access token, the
/// connection-wide concurrency limit and the redaction of its secrets. Thread-safe; share one across all calls.
/// Every public call validates its input once, before any request, and every error it throws is redacted.
/// </summary>
public sealed class ZcrmClient : IZcrmConnectionState, IDisposable
{
    private const string ApiClientName = "ZohoCrmEmails.Api";
    private const string AccountsClientName = "ZohoCrmEmails.Accounts";
    private readonly ZcrmConnectionOptions _options;
    private readonly ZcrmEndpoints _endpoints;
    private readonly ServiceProvider _services;
    private readonly HttpClient _api;
    private readonly TokenProvider _tokens;
    private readonly AdaptiveConcurrencyLimiter _limiter;
    private readonly RequestCounters _counters = new();
    private readonly Utf8StringPool _strings = new();
    private readonly CircuitBreaker _apiBreaker;
    private readonly CircuitBreaker _accountsBreaker;
    private volatile bool _closed;
    // Connect-Zcrm fails fast: one retry, not the whole ladder, before it says the accounts server cannot be reached.
    private const int ConnectAttempts = 2;

    public ZcrmClient(ZcrmConnectionOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Redactor = new SecretRedactor();
        Redactor.Add(options.ClientSecret);
        Redactor.Add(options.RefreshToken);
        Redactor.Add(options.AccessToken);
        foreach (var secret in ZcrmEndpoints.UserInfoSecrets(options)) Redactor.Add(secret);
        try
        {
            options.Validate();
            _endpoints = new ZcrmEndpoints(options);
        }
        catch (ZcrmException ex)
        {
            throw Redactor.Redact(ex);
        }
        _options = options;
        _limiter = new AdaptiveConcurrencyLimiter(options.MaxConcurrentRequests);
        _apiBreaker = new CircuitBreaker(options.Retry, options.TimeProvider, "Zoho CRM", options.ApiCreditReserve);
        _accountsBreaker = new CircuitBreaker(options.Retry, options.TimeProvider, "the accounts server", null);

        // The pipeline, outermost first: retries (and their back-off) hold nothing; the token is fetched before a slot
        // on the wire is taken; the slot is held for one attempt; the wire handler reads the body within the attempt.
        // RemoveAllLoggers: the factory's default logging handlers cost two async layers and a logging scope per
        // request, and nobody listens (the module traces through ZcrmCallContext).
        var services = new ServiceCollection();
        services.AddHttpClient(ApiClientName)
            .RemoveAllLoggers()
            .ConfigurePrimaryHttpMessageHandler(CreatePrimaryHandler)
            .SetHandlerLifetime(Timeout.InfiniteTimeSpan)
            .AddHttpMessageHandler(() => new RetryHandler(options.Retry, options.TimeProvider, _apiBreaker))
            .AddHttpMessageHandler(() => new AuthHandler(_tokens!, _endpoints))
            .AddHttpMessageHandler(() => new ConcurrencyHandler(_limiter))
            .AddHttpMessageHandler(() => new WireHandler(options.RequestTimeout, options.MaxResponseBytes, _counters, Redactor))
            // Requests name a path only; the auth handler addresses them to the API domain that comes with the token.
            .ConfigureHttpClient(c => { c.Timeout = Timeout.InfiniteTimeSpan; c.BaseAddress = new Uri(_endpoints.ApiBase(null)); });
        services.AddHttpClient(AccountsClientName)
            .RemoveAllLoggers()
            .ConfigurePrimaryHttpMessageHandler(CreatePrimaryHandler)
            .SetHandlerLifetime(Timeout.InfiniteTimeSpan)
            .AddHttpMessageHandler(() => new RetryHandler(options.Retry, options.TimeProvider, _accountsBreaker))
            .AddHttpMessageHandler(() => new WireHandler(options.RequestTimeout, options.MaxResponseBytes, _counters, Redactor))
            .ConfigureHttpClient(c => c.Timeout = Timeout.InfiniteTimeSpan);
        _services = services.BuildServiceProvider();
        Connection = new ZcrmConnection(this);
        var factory = _services.GetRequiredService<IHttpClientFactory>();
        _tokens = new TokenProvider(options, factory.CreateClient(AccountsClientName), _endpoints.TokenUrl, Redactor);
        _api = factory.CreateClient(ApiClientName);
    }

    private static HttpMessageHandler CreatePrimaryHandler() => new SocketsHttpHandler
    {
        // Connections are pooled and reused across calls; this still lets DNS changes in.
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        AutomaticDecompression = DecompressionMethods.All,
        // A redirect could carry the Authorization header to another host.
        AllowAutoRedirect = false,
        UseCookies = false,
    };

    /// <summary>The connection's redaction step, for every text made from what it sent or received.</summary>
    public SecretRedactor Redactor { get; }

    /// <summary>The connection as users see it: settings and state, read live from this client.</summary>
    public ZcrmConnection Connection { get; }

    public ZcrmDataCenter DataCenter => _options.DataCenter;
    public Uri AccountsUrl => _endpoints.AccountsUrl;
    public Uri ApiDomain => _endpoints.ApiDomain(_tokens.Current?.ApiDomain);
    public string ApiVersion => _options.ApiVersion;
    public DateTimeOffset? TokenExpiresAt => _tokens.Current?.ExpiresAt;
    public bool CanRenewToken => _tokens.CanRenew;
    public long? ApiCreditsRemaining => _apiBreaker.CreditsRemaining;
    public long? ApiCreditReserve => _options.ApiCreditReserve;
    public long RequestsSent => _counters.RequestsSent;
    public long TokenRequests => _tokens.TokenRequests;
    public int ConcurrencyLimit => _limiter.CurrentLimit;
    /// <summary>The ceiling of <see cref="ConcurrencyLimit"/>: the edition's cap as given to the connection.</summary>
    public int MaxConcurrentRequests => _limiter.Ceiling;
    public long MaxResponseBytes => _options.MaxResponseBytes;
    public bool IsClosed => _closed;

    internal RequestCounters Counters => _counters;

    public override string ToString() => Redactor.Redact(Connection.ToString());

    /// <summary>Obtains an access token (or checks the cache): proves the credentials before any data call.</summary>
    public async Task ConnectAsync(ZcrmCallContext? context = null, CancellationToken ct = default)
    {
        ThrowIfClosed();
        try
        {
            await _tokens.GetAsync(null, context ?? ZcrmCallContext.None, ct, ConnectAttempts).ConfigureAwait(false);
        }
        catch (ZcrmException ex)
        {
            throw Redactor.Redact(ex);
        }
    }

    /// <summary>One page of a record's e-mails; <paramref name="index"/> is the previous page's cursor. For tests: the cmdlets page through <see cref="GetEmailPages"/>.</summary>
    internal Task<ZcrmEmailPage> GetEmailPageAsync(string module, string recordId, ZcrmEmailQuery? query = null, string? index = null,
        ZcrmCallContext? context = null, CancellationToken ct = default)
    {
        InputValidator.EmailList(module, recordId, query);
        return ReadPageAsync(module, recordId, query, index, context ?? ZcrmCallContext.None, ct);
    }

    /// <summary>
    /// A record's e-mails, lazily: a page is requested only when the e-mail past the previous page is asked for.
    /// Bad input throws here, before any request. For tests and the engine bench; the cmdlets take pages.
    /// </summary>
    internal IAsyncEnumerable<ZcrmEmail> GetEmails(string module, string recordId, ZcrmEmailQuery? query = null, ZcrmCallContext? context = null)
    {
        InputValidator.EmailList(module, recordId, query);
        return Redacted(Flatten(Pages(module, recordId, query, context ?? ZcrmCallContext.None)));
    }

    /// <summary>
    /// A record's e-mails page by page, lazily (one request per page asked for); with <paramref name="includeContent"/>
    /// each e-mail is read in full. Bad input throws here, before any request.
    /// </summary>
    public IAsyncEnumerable<IReadOnlyList<ZcrmEmail>> GetEmailPages(string module, string recordId, ZcrmEmailQuery? query = null,
        bool includeContent = false, ZcrmCallContext? context = null)
    {
        InputValidator.EmailList(module, recordId, query);
        var ctx = context ?? ZcrmCallContext.None;
        var pages = Pages(module, recordId, query, ctx);
        // Bodies are read while the listing pages on, up to a window of e-mails ahead, each with its owner's id.
        return Redacted(includeContent
            ? ReadAhead.Pages(pages, (e, ct) => ReadListedEmailAsync(e, query?.OwnerId, ctx, ct), ContentWindow)
            : pages);
    }

    // Errors leave the engine redacted, whichever call they come from: here for the page sequences, in SendAsync for
    // every request, in ConnectAsync and DownloadAttachmentAsync for what they check themselves.
    private async IAsyncEnumerable<T> Redacted<T>(IAsyncEnumerable<T> source, [EnumeratorCancellation] CancellationToken ct = default)
    {
        await using var e = source.GetAsyncEnumerator(ct);
        while (true)
        {
            bool more;
            try
            {
                more = await e.MoveNextAsync().ConfigureAwait(false);
            }
            catch (ZcrmException ex)
            {
                throw Redactor.Redact(ex);
            }
            if (!more) yield break;
            yield return e.Current;
        }
    }

    /// <summary>E-mails read in full ahead of the caller with -IncludeContent, at most: ten pages' worth.</summary>
    private const int ContentWindow = 100;

    /// <summary>One e-mail with its body and attachments. <paramref name="ownerId"/> reads a shared user's mail.</summary>
    public Task<ZcrmEmail> GetEmailAsync(string module, string recordId, string messageId, string? ownerId = null,
        ZcrmCallContext? context = null, CancellationToken ct = default)
    {
        InputValidator.Email(module, recordId, messageId, ownerId);
        return ReadEmailAsync(module, recordId, messageId, ownerId, context ?? ZcrmCallContext.None, ct);
    }

    /// <summary>Which users' mailboxes (and which kinds of e-mail) can be seen on a record.</summary>
    public Task<IReadOnlyList<ZcrmEmailSharing>> GetSharingAsync(string module, string recordId, ZcrmCallContext? context = null,
        CancellationToken ct = default)
    {
        InputValidator.Record(module, recordId);
        return SendAsync<IReadOnlyList<ZcrmEmailSharing>>($"/crm/{ApiVersion}/{module}/{recordId}/__emails_sharing_details", context ?? ZcrmCallContext.None,
            (response, body, request) =>
            {
                var list = ResponseParser.Sharing((int)response.StatusCode, body, module, recordId, request, _strings);
                return (list, list.Count);
            }, ct);
    }

    private Task<ZcrmEmailPage> ReadPageAsync(string module, string recordId, ZcrmEmailQuery? query, string? index,
        ZcrmCallContext context, CancellationToken ct)
    {
        var path = $"/crm/{ApiVersion}/{module}/{recordId}/Emails";
        var separator = '?';
        if (query?.Type is { } type) { path += $"{separator}type={type.ToWireName()}"; separator = '&'; }
        if (query?.OwnerId is { } owner) { path += $"{separator}owner_id={owner}"; separator = '&'; }
        // Cursors are opaque and may hold + = &: they travel encoded.
        if (index is not null) path += $"{separator}index={Uri.EscapeDataString(index)}";
        // A list page goes first at the connection's limit: its record's reads and downloads wait on the paging.
        return SendAsync(new RequestState(HttpMethod.Get, path, context) { GoesFirst = true }, (response, body, request) =>
        {
            var page = ResponseParser.EmailPage((int)response.StatusCode, body, module, recordId, request, _strings);
            return (page, page.Emails.Count);
        }, ct);
    }

    private static async IAsyncEnumerable<ZcrmEmail> Flatten(IAsyncEnumerable<IReadOnlyList<ZcrmEmail>> pages,
        [EnumeratorCancellation] CancellationToken ct = default)
    {
        await foreach (var page in pages.WithCancellation(ct).ConfigureAwait(false))
            foreach (var email in page)
                yield return email;
    }

    private IAsyncEnumerable<IReadOnlyList<ZcrmEmail>> Pages(string module, string recordId, ZcrmEmailQuery? query, ZcrmCallContext context) =>
        EmailCursor.Pages((index, ct) => ReadPageAsync(module, recordId, query, index, context, ct), module, recordId, ApiVersion);

    // A listed e-mail without a usable id cannot be read: that fails its page, as a failed read does.
    private async Task<ZcrmEmail> ReadListedEmailAsync(ZcrmEmail listed, string? ownerId, ZcrmCallContext context, CancellationToken ct)
    {
        InputValidator.MessageId(listed.MessageId);
        return await ReadEmailAsync(listed.Module, listed.RecordId, listed.MessageId, OwnerIdOf(listed, ownerId), context, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// The owner's id to read a listed e-mail with: the one the listing gave (Zoho's one-e-mail call needs it for a
    /// shared user's mail), else <paramref name="fallback"/>. A listed id that is not digits is not sent.
    /// </summary>
    public static string? OwnerIdOf(ZcrmEmail email, string? fallback) =>
        email.Owner?.Id is { Length: > 0 } id && InputValidator.IsId(id) ? id : fallback;

    private Task<ZcrmEmail> ReadEmailAsync(string module, string recordId, string messageId, string? ownerId,
        ZcrmCallContext context, CancellationToken ct)
    {
        var path = $"/crm/{ApiVersion}/{module}/{recordId}/Emails/{Uri.EscapeDataString(messageId)}" + (ownerId is null ? "" : "?owner_id=" + ownerId);
        return SendAsync(path, context, (response, body, request) =>
            (ResponseParser.Email((int)response.StatusCode, body, module, recordId, messageId, request, _strings), 1L), ct);
    }

    /// <summary>
    /// Downloads one attachment into <paramref name="destination"/>, which is rewritten from its start for each attempt.
    /// The request timeout bounds a stall, not the whole file, and memory stays flat whatever its size. What arrives
    /// is checked against the size Zoho listed (<paramref name="expectedSize"/>): more or fewer bytes is
    /// Zcrm.AttachmentSizeMismatch. <paramref name="progress"/> gets the bytes written as they are (negative when an
    /// attempt starts over). <paramref name="ownerId"/> is the e-mail owner's id (owner.id, sent as Zoho's user_id); <paramref name="attachmentName"/>
    /// the attachment's name as listed.
    /// </summary>
    public async Task<ZcrmDownload> DownloadAttachmentAsync(string module, string recordId, string messageId, string? ownerId, string attachmentId,
        string? attachmentName, long? expectedSize, Stream destination, IProgress<long>? progress = null, ZcrmCallContext? context = null,
        CancellationToken ct = default)
    {
        InputValidator.Email(module, recordId, messageId, ownerId);
        InputValidator.AttachmentId(attachmentId);
        // Zoho's page marks message_id, user_id, id and name mandatory; the name travels exactly as listed, encoded.
        var path = $"/crm/{ApiVersion}/{module}/{recordId}/Emails/actions/download_attachments?message_id={Uri.EscapeDataString(messageId)}"
            + (ownerId is null ? "" : "&user_id=" + ownerId) + "&id=" + Uri.EscapeDataString(attachmentId)
            + "&name=" + Uri.EscapeDataString(attachmentName ?? "");
        var sink = new DownloadSink(destination, expectedSize, progress, RequestState.LineOf(HttpMethod.Get, path));
        // The body goes to the sink: nothing is left to parse.
        await SendAsync<object?>(new RequestState(HttpMethod.Get, path, context ?? ZcrmCallContext.None) { BodySink = sink.WriteAsync },
            (_, _, _) => (null, 0), ct).ConfigureAwait(false);
        try
        {
            if (sink.ReportedError() is { } error) throw error;
            sink.CheckLength(destination.Length);
        }
        catch (ZcrmException ex)
        {
            throw Redactor.Redact(ex);
        }
        return new ZcrmDownload(destination.Length, sink.FileName, sink.ContentType);
    }

    /// <summary>
    /// One GET through the pipeline, its body parsed by <paramref name="read"/>; the single place where a call's
    /// errors are redacted and its attempts reported to the caller's trace.
    /// </summary>
    private Task<T> SendAsync<T>(string pathAndQuery, ZcrmCallContext context,
        Func<HttpResponseMessage, BufferedBody, string, (T Result, long Items)> read, CancellationToken ct) =>
        SendAsync(new RequestState(HttpMethod.Get, pathAndQuery, context), read, ct);

    private async Task<T> SendAsync<T>(RequestState state, Func<HttpResponseMessage, BufferedBody, string, (T Result, long Items)> read, CancellationToken ct)
    {
        ThrowIfClosed();
        long? items = null;
        try
        {
            // Relative to the connection's API domain; the auth handler sends it to the one named with the token.
            using var request = state.Attach(new HttpRequestMessage(state.Method, new Uri(state.PathAndQuery, UriKind.Relative)));
            using var response = await _api.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
                throw ZohoErrors.FromResponse(response, state.RequestLine);
            var (result, count) = read(response, BufferedBody.Of(response), state.RequestLine);
            items = count;
            return result;
        }
        catch (ZcrmException ex)
        {
            throw Redactor.Redact(ex);
        }
        finally
        {
            state.ReportTrace(items);
        }
    }

    private void ThrowIfClosed()
    {
        if (_closed)
            throw new ZcrmException(ZcrmErrorCodes.NotConnected, ZcrmErrorKind.Authentication, "This Zoho CRM connection was closed. Connect again.");
    }

    /// <summary>Closes the connection (Disconnect-Zcrm): later calls fail with Zcrm.NotConnected.</summary>
    public void Dispose()
    {
        if (_closed) return;
        _closed = true;
        _tokens.Dispose();
        _apiBreaker.Dispose();
        _accountsBreaker.Dispose();
        _api.Dispose();
        _services.Dispose();
    }
}
