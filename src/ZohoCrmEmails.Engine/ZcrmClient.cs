using System.Net;
using Microsoft.Extensions.DependencyInjection;
using ZohoCrmEmails.Engine.Http;
using ZohoCrmEmails.Engine.Json;

namespace ZohoCrmEmails.Engine;

/// <summary>
/// A connection to one Zoho CRM organisation and the calls on it: the HTTP pipeline, the cached access token, the
/// connection-wide concurrency limit and the redaction of its secrets. Thread-safe; share one across all calls.
/// Every public call validates its input once, before any request, and every error it throws is redacted.
/// </summary>
public sealed partial class ZcrmClient : IZcrmConnectionState, IDisposable
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
    public long ThrottledRequests => _limiter.Throttled;
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
            // 304 answers If-Modified-Since: nothing modified, which the call reads as empty.
            if (!response.IsSuccessStatusCode && !(response.StatusCode == HttpStatusCode.NotModified && state.AcceptsNotModified))
                throw ZohoErrors.FromResponse(response, state);
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
