using System.Net;
using ZohoCrmEmails.Engine.Json;

namespace ZohoCrmEmails.Engine.Http;

/// <summary>An access token and what came with it. ToString never shows the token.</summary>
internal sealed class AccessToken(string value, DateTimeOffset? expiresAt, DateTimeOffset? renewAt, Uri? apiDomain)
{
    public string Value { get; } = value;
    public DateTimeOffset? ExpiresAt { get; } = expiresAt;
    /// <summary>When it stops being handed out; null for a token given by the user (never renewed).</summary>
    public DateTimeOffset? RenewAt { get; } = renewAt;
    public Uri? ApiDomain { get; } = apiDomain;
    public override string ToString() => "[access token]";
}

/// <summary>
/// The connection's token cache. Every call shares one token, used until shortly before it expires (a margin of at most
/// <see cref="ZcrmConnectionOptions.TokenRenewalMargin"/>, a tenth of its life for short-lived tokens), or until a
/// caller reports it refused. Renewal is single-flight, for failures too: however many callers need a new token at
/// once, one request goes to the accounts server and all of them get its answer. Zoho locks out refresh tokens that
/// mint too many access tokens, so a refusal that will not change by asking again (revoked refresh token, wrong
/// client) is remembered and not asked again, and "too many requests" is not asked again for a minute.
/// </summary>
internal sealed class TokenProvider : IDisposable
{
    private static readonly TimeSpan ThrottledCooldown = TimeSpan.FromMinutes(1);
    private readonly ZcrmConnectionOptions _options;
    private readonly HttpClient _accounts;
    private readonly Uri _tokenUrl;
    private readonly SecretRedactor _redactor;
    private readonly object _gate = new();
    private readonly CancellationTokenSource _lifetime = new();
    private volatile AccessToken? _current;
    private Task<AccessToken>? _renewal;
    private (ZcrmException Error, DateTimeOffset Until)? _refusal;
    private long _tokenRequests;

    public TokenProvider(ZcrmConnectionOptions options, HttpClient accounts, Uri tokenUrl, SecretRedactor redactor)
    {
        _options = options;
        _accounts = accounts;
        _tokenUrl = tokenUrl;
        _redactor = redactor;
        if (!options.HasRefreshCredentials)
            _current = new AccessToken(options.AccessToken!, null, null, null);
    }

    public bool CanRenew => _options.HasRefreshCredentials;
    public AccessToken? Current => _current;
    public long TokenRequests => Interlocked.Read(ref _tokenRequests);

    /// <summary>
    /// A usable token; <paramref name="refused"/> is one the server just refused, to be replaced. A renewal this call
    /// starts is traced to <paramref name="context"/>; callers that join it wait for the same answer.
    /// </summary>
    /// <param name="refused">A token the server just refused; null for any usable one.</param>
    /// <param name="context">The caller, whose trace sees a renewal this call starts.</param>
    /// <param name="ct">Stops the wait, not a renewal other callers share.</param>
    /// <param name="maxAttempts">Fewer attempts than the retry policy's for a renewal this call starts (Connect-Zcrm fails fast).</param>
    public ValueTask<AccessToken> GetAsync(AccessToken? refused, ZcrmCallContext context, CancellationToken ct, int? maxAttempts = null)
    {
        var current = _current;
        if (IsUsable(current, refused) || !CanRenew)
            return new ValueTask<AccessToken>(current!);   // without a refresh token, the server's refusal surfaces as an error
        return new ValueTask<AccessToken>(SharedRenewal(refused, context, maxAttempts).WaitAsync(ct));
    }

    private Task<AccessToken> SharedRenewal(AccessToken? refused, ZcrmCallContext context, int? maxAttempts)
    {
        lock (_gate)
        {
            var current = _current;
            if (IsUsable(current, refused))
                return Task.FromResult(current!);
            if (_refusal is { } r && _options.TimeProvider.GetUtcNow() < r.Until)
                return Task.FromException<AccessToken>(r.Error);
            return _renewal ??= RenewAsync(context, maxAttempts);
        }
    }

    private async Task<AccessToken> RenewAsync(ZcrmCallContext context, int? maxAttempts)
    {
        await Task.Yield();   // out of the lock before any work
        try
        {
            var token = await RequestTokenAsync(context, maxAttempts, _lifetime.Token).ConfigureAwait(false);
            _current = token;
            return token;
        }
        catch (ZcrmException ex) when (ex.Details.TryGetValue("error", out var error))
        {
            var until = error == "Access Denied" ? _options.TimeProvider.GetUtcNow() + ThrottledCooldown : DateTimeOffset.MaxValue;
            lock (_gate) _refusal = (ex, until);
            throw;
        }
        finally
        {
            lock (_gate) _renewal = null;
        }
    }

    private bool IsUsable(AccessToken? token, AccessToken? refused) =>
        token is not null
        && !ReferenceEquals(token, refused)
        && (token.RenewAt is not { } renewAt || _options.TimeProvider.GetUtcNow() < renewAt);

    private async Task<AccessToken> RequestTokenAsync(ZcrmCallContext context, int? maxAttempts, CancellationToken ct)
    {
        var state = new RequestState(HttpMethod.Post, "/oauth/v2/token", context) { MaxAttempts = maxAttempts };
        try
        {
            return await RequestTokenAsync(state, ct).ConfigureAwait(false);
        }
        finally
        {
            state.ReportTrace(null);
        }
    }

    private async Task<AccessToken> RequestTokenAsync(RequestState state, CancellationToken ct)
    {
        var description = state.RequestLine;
        using var request = state.Attach(new HttpRequestMessage(HttpMethod.Post, _tokenUrl)
        {
            // In the body, never the query string: URLs end up in logs and traces.
            Content = new FormUrlEncodedContent(
            [
                new("grant_type", "refresh_token"),
                new("client_id", _options.ClientId!),
                new("client_secret", _options.ClientSecret!),
                new("refresh_token", _options.RefreshToken!),
            ]),
        });
        Interlocked.Increment(ref _tokenRequests);
        var requestedAt = _options.TimeProvider.GetUtcNow();
        using var response = await _accounts.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct).ConfigureAwait(false);
        var status = (int)response.StatusCode;
        var body = BufferedBody.Of(response);

        TokenEnvelope token;
        try
        {
            token = ResponseParser.Parse(body, ZcrmJsonContext.Default.TokenEnvelope, status, description);
        }
        catch (ZcrmException)
        {
            throw Failed($"The accounts server answered HTTP {status} with a body that is not a token response.", status);
        }
        if (token.Error is { } error)
            throw AccountsError(error, token.ErrorDescription, status);
        if (response.StatusCode != HttpStatusCode.OK || string.IsNullOrEmpty(token.AccessToken))
            throw Failed($"The accounts server answered HTTP {status} without an access token.", status);
        _redactor.AddIssued(token.AccessToken);
        if (!ZcrmConnectionOptions.IsHeaderSafe(token.AccessToken))
            throw Failed("The accounts server returned an access token that cannot be sent in an HTTP header.", status);

        Uri? apiDomain = null;
        if (!string.IsNullOrEmpty(token.ApiDomain))
        {
            if (!Uri.TryCreate(token.ApiDomain, UriKind.Absolute, out var domain))
                throw Failed($"The accounts server returned an API domain that is not a URL: '{_redactor.Quote(token.ApiDomain, 64)}'.", status);
            apiDomain = EndpointGuard.Check(domain, "API domain returned by the accounts server");
            if (_redactor.Redact(apiDomain.AbsoluteUri) != apiDomain.AbsoluteUri)
                throw Failed("The accounts server returned an API domain that holds a secret.", status);
        }
        var life = Lifetime(token);
        var margin = TimeSpan.FromTicks(Math.Min(_options.TokenRenewalMargin.Ticks, life.Ticks / 10));
        return new AccessToken(token.AccessToken, requestedAt + life, requestedAt + life - margin, apiDomain);
    }

    /// <summary>expires_in is seconds; old servers sent milliseconds there and seconds in expires_in_sec.</summary>
    internal static TimeSpan Lifetime(TokenEnvelope token)
    {
        if (token.ExpiresInSec is > 0 and var seconds) return TimeSpan.FromSeconds(seconds);
        if (token.ExpiresIn is > 0 and var value)
            return value > 86_400 ? TimeSpan.FromMilliseconds(value) : TimeSpan.FromSeconds(value);
        return TimeSpan.FromHours(1);   // Zoho's documented lifetime
    }

    private ZcrmException Failed(string message, int status) =>
        new(ZcrmErrorCodes.AuthenticationFailed, ZcrmErrorKind.Authentication, _redactor.Redact(message), status, "POST /oauth/v2/token");

    private ZcrmException AccountsError(string error, string? description, int status)
    {
        var reason = error switch
        {
            "invalid_client" => "the client id is not valid for this data centre (invalid_client)",
            "invalid_client_secret" => "the client secret is wrong (invalid_client_secret)",
            "invalid_code" => "the refresh token is invalid or was revoked (invalid_code)",
            "Access Denied" => "the accounts server refused: too many token requests in a short time (Access Denied); wait a few minutes",
            _ => $"the accounts server answered '{_redactor.Quote(error, 64)}'",
        };
        if (!string.IsNullOrEmpty(description) && error != "Access Denied") reason += $": {_redactor.Quote(description, 300)}";
        // The server's words may echo the request body, secrets included: redacted here, where they enter.
        return new ZcrmException(ZcrmErrorCodes.AuthenticationFailed, ZcrmErrorKind.Authentication,
            _redactor.Redact($"Authentication failed: {reason}."), status, "POST /oauth/v2/token",
            new Dictionary<string, string> { ["error"] = _redactor.Quote(error, 64) });
    }

    public void Dispose()
    {
        _lifetime.Cancel();
        _lifetime.Dispose();
    }
}
