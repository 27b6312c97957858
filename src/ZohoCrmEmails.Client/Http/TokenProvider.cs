using System.Net;
using System.Text.Json;
using ZohoCrmEmails.Models;

namespace ZohoCrmEmails.Http;

/// <summary>An access token and what came with it. ToString never shows the token.</summary>
internal sealed class AccessToken(string value, DateTimeOffset? expiresAt, Uri? apiDomain)
{
    public string Value { get; } = value;
    public DateTimeOffset? ExpiresAt { get; } = expiresAt;
    public Uri? ApiDomain { get; } = apiDomain;
    public override string ToString() => "[access token]";
}

/// <summary>
/// The connection's token cache. Every call shares one token; it is renewed <c>margin</c> before it expires, or
/// when a caller reports it stale after a 401. Renewal is single-flight: however many callers need a new token at
/// once, one request goes to the accounts server and all of them get its answer.
/// </summary>
internal sealed class TokenProvider
{
    private readonly ZcrmConnectionOptions _options;
    private readonly HttpClient _accounts;
    private readonly Uri _tokenUrl;
    private readonly SemaphoreSlim _renewal = new(1, 1);
    private volatile AccessToken? _current;

    public TokenProvider(ZcrmConnectionOptions options, HttpClient accounts)
    {
        _options = options;
        _accounts = accounts;
        var accountsUrl = options.AccountsUrl ?? ZcrmDataCenters.AccountsUrl(options.DataCenter);
        _tokenUrl = new Uri(accountsUrl.GetLeftPart(UriPartial.Path).TrimEnd('/') + "/oauth/v2/token");
        if (!options.HasRefreshCredentials)
            _current = new AccessToken(options.AccessToken!, null, null);
    }

    public bool CanRenew => _options.HasRefreshCredentials;
    public AccessToken? Current => _current;
    public long TokenRequests => Interlocked.Read(ref _tokenRequests);
    private long _tokenRequests;

    /// <summary>A usable token; <paramref name="stale"/> is one the server just refused, to be replaced.</summary>
    public async ValueTask<AccessToken> GetAccessTokenAsync(AccessToken? stale, CancellationToken ct)
    {
        var current = _current;
        if (IsUsable(current, stale)) return current!;
        if (!CanRenew)
            return current!;   // nothing to renew with; the server's refusal surfaces as an authentication error

        await _renewal.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            current = _current;
            if (IsUsable(current, stale)) return current!;
            var renewed = await RequestTokenAsync(ct).ConfigureAwait(false);
            _current = renewed;
            return renewed;
        }
        finally
        {
            _renewal.Release();
        }
    }

    private bool IsUsable(AccessToken? token, AccessToken? stale) =>
        token is not null
        && !ReferenceEquals(token, stale)
        && (token.ExpiresAt is not { } expires || expires - _options.TokenRenewalMargin > _options.TimeProvider.GetUtcNow());

    private async Task<AccessToken> RequestTokenAsync(CancellationToken ct)
    {
        const string description = "POST /oauth/v2/token";
        using var request = new HttpRequestMessage(HttpMethod.Post, _tokenUrl)
        {
            // In the body, never the query string: URLs end up in logs and traces.
            Content = new FormUrlEncodedContent(
            [
                new("grant_type", "refresh_token"),
                new("client_id", _options.ClientId!),
                new("client_secret", _options.ClientSecret!),
                new("refresh_token", _options.RefreshToken!),
            ]),
        };
        var state = new RequestState(description, authenticated: false);
        request.Options.Set(RequestState.Key, state);
        Interlocked.Increment(ref _tokenRequests);
        var requestedAt = _options.TimeProvider.GetUtcNow();
        using var response = await ZcrmResponses.SendTracedAsync(_accounts, request, ct).ConfigureAwait(false);
        ZcrmResponses.Emit(state, null);
        var body = await response.Content.ReadAsByteArrayAsync(ct).ConfigureAwait(false);

        TokenEnvelope? token;
        try
        {
            token = JsonSerializer.Deserialize(body, ZcrmJsonContext.Default.TokenEnvelope);
        }
        catch (JsonException ex)
        {
            throw new ZcrmException(ZcrmErrorCodes.AuthenticationFailed, ZcrmErrorKind.Authentication,
                $"The accounts server answered HTTP {(int)response.StatusCode} with a body that is not a token response.",
                (int)response.StatusCode, description, inner: ex);
        }

        if (token?.Error is { } error)
            throw AccountsError(error, token.ErrorDescription, (int)response.StatusCode, description);
        if (response.StatusCode != HttpStatusCode.OK || string.IsNullOrEmpty(token?.AccessToken))
            throw new ZcrmException(ZcrmErrorCodes.AuthenticationFailed, ZcrmErrorKind.Authentication,
                $"The accounts server answered HTTP {(int)response.StatusCode} without an access token.",
                (int)response.StatusCode, description);

        Uri? apiDomain = null;
        if (!string.IsNullOrEmpty(token.ApiDomain))
        {
            if (!Uri.TryCreate(token.ApiDomain, UriKind.Absolute, out apiDomain))
                throw new ZcrmException(ZcrmErrorCodes.InvalidResponse, ZcrmErrorKind.InvalidResponse,
                    $"The accounts server returned an API domain that is not a URL: '{token.ApiDomain}'.", 200, description);
            EndpointGuard.Check(apiDomain, "API domain returned by the accounts server");
        }
        return new AccessToken(token.AccessToken, requestedAt + Lifetime(token), apiDomain);
    }

    /// <summary>expires_in is seconds; old servers sent milliseconds there and seconds in expires_in_sec.</summary>
    internal static TimeSpan Lifetime(TokenEnvelope token)
    {
        if (token.ExpiresInSec is { } seconds) return TimeSpan.FromSeconds(seconds);
        if (token.ExpiresIn is { } value)
            return value > 86_400 ? TimeSpan.FromMilliseconds(value) : TimeSpan.FromSeconds(value);
        return TimeSpan.FromHours(1);   // Zoho's documented lifetime
    }

    private static ZcrmException AccountsError(string error, string? description, int status, string request)
    {
        var reason = error switch
        {
            "invalid_client" => "the client id is not valid for this data centre (invalid_client)",
            "invalid_client_secret" => "the client secret is wrong (invalid_client_secret)",
            "invalid_code" => "the refresh token is invalid or was revoked (invalid_code)",
            "Access Denied" => "the accounts server refused: too many token requests in a short time (Access Denied); wait a few minutes",
            _ => $"the accounts server answered '{error}'",
        };
        if (!string.IsNullOrEmpty(description) && error != "Access Denied") reason += $": {description}";
        return new ZcrmException(ZcrmErrorCodes.AuthenticationFailed, ZcrmErrorKind.Authentication,
            $"Authentication failed: {reason}.", status, request,
            new Dictionary<string, string> { ["error"] = error });
    }
}
