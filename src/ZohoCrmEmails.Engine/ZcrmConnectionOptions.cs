namespace ZohoCrmEmails.Engine;

/// <summary>How to reach and authenticate to one Zoho CRM organisation.</summary>
public sealed record ZcrmConnectionOptions
{
    /// <summary>Never lists the credentials (a record's default ToString would).</summary>
    public override string ToString() => $"ZcrmConnectionOptions {{ DataCenter = {DataCenter}, ApiVersion = {ApiVersion} }}";

    public ZcrmDataCenter DataCenter { get; init; } = ZcrmDataCenter.US;
    /// <summary>Overrides the data centre's accounts server (the simulator, private endpoints).</summary>
    public Uri? AccountsUrl { get; init; }
    /// <summary>Overrides the API domain, even the one the token endpoint returns (sandbox and developer orgs).</summary>
    public Uri? ApiDomain { get; init; }
    public string ApiVersion { get; init; } = "v8";

    public string? ClientId { get; init; }
    public string? ClientSecret { get; init; }
    public string? RefreshToken { get; init; }
    /// <summary>Access-token-only mode: used as given, never renewed.</summary>
    public string? AccessToken { get; init; }

    /// <summary>Per attempt, from sending the request to the last byte of its body.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(60);
    public ZcrmRetryPolicy Retry { get; init; } = new();
    /// <summary>
    /// The ceiling of the connection's adaptive concurrency. Zoho caps calls at once by edition (Free 5 … Ultimate 25)
    /// and answers 429 beyond it; the default is the highest cap, and a 429 cuts the connection's limit anyway.
    /// </summary>
    public int MaxConcurrentRequests { get; init; } = 25;
    /// <summary>
    /// How long before its expiry a cached access token is renewed, at most: a token that lives less than ten times
    /// this is renewed when nine tenths of its life are over, so that short-lived tokens are still used.
    /// </summary>
    public TimeSpan TokenRenewalMargin { get; init; } = TimeSpan.FromSeconds(60);
    /// <summary>
    /// The most bytes one response may have (64 MiB by default: far above a page of e-mails or one e-mail's body).
    /// A longer one, or an endless one, is refused with Zcrm.ResponseTooLarge and not retried; memory stays bounded.
    /// </summary>
    public long MaxResponseBytes { get; init; } = DefaultMaxResponseBytes;
    public const long DefaultMaxResponseBytes = 64L * 1024 * 1024;
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;
    /// <summary>
    /// API credits to leave for the org's other work: once Zoho reports X-API-CREDITS-REMAINING at or below this, the
    /// connection sends no more requests (Zcrm.CreditReserveReached). Zoho sends the header only once half the day's
    /// credits are used, so a reserve above half is noticed only then. Null: no reserve.
    /// </summary>
    public long? ApiCreditReserve { get; init; }

    /// <summary>
    /// These options with what the ZCRM_* variables give: ZCRM_CLIENT_ID, ZCRM_CLIENT_SECRET and ZCRM_REFRESH_TOKEN, or
    /// ZCRM_ACCESS_TOKEN; and ZCRM_DATA_CENTER, ZCRM_ACCOUNTS_URL, ZCRM_API_DOMAIN where set. Errors name variables,
    /// never their values.
    /// </summary>
    /// <param name="variable">Reads one variable (<see cref="Environment.GetEnvironmentVariable(string)"/>); empty counts as unset.</param>
    public ZcrmConnectionOptions WithEnvironment(Func<string, string?> variable)
    {
        string? Get(string name) => variable(name) is { Length: > 0 } v ? v : null;
        var options = this;
        if (Get("ZCRM_DATA_CENTER") is { } dc)
        {
            if (!Enum.TryParse<ZcrmDataCenter>(dc, ignoreCase: true, out var parsed) || int.TryParse(dc, out _))
                throw Invalid($"ZCRM_DATA_CENTER must be one of {string.Join(", ", Enum.GetNames<ZcrmDataCenter>())}.");
            options = options with { DataCenter = parsed };
        }
        if (Get("ZCRM_ACCOUNTS_URL") is { } accounts)
            options = options with { AccountsUrl = Url(accounts, "ZCRM_ACCOUNTS_URL") };
        if (Get("ZCRM_API_DOMAIN") is { } api)
            options = options with { ApiDomain = Url(api, "ZCRM_API_DOMAIN") };

        var (id, secret, refresh, access) = (Get("ZCRM_CLIENT_ID"), Get("ZCRM_CLIENT_SECRET"), Get("ZCRM_REFRESH_TOKEN"), Get("ZCRM_ACCESS_TOKEN"));
        if (id is not null && secret is not null && refresh is not null)
            return options with { ClientId = id, ClientSecret = secret, RefreshToken = refresh };
        if (access is not null)
            return options with { AccessToken = access };
        var missing = new[] { ("ZCRM_CLIENT_ID", id), ("ZCRM_CLIENT_SECRET", secret), ("ZCRM_REFRESH_TOKEN", refresh) }
            .Where(v => v.Item2 is null).Select(v => v.Item1);
        throw Invalid($"The environment needs ZCRM_CLIENT_ID, ZCRM_CLIENT_SECRET and ZCRM_REFRESH_TOKEN, or ZCRM_ACCESS_TOKEN. Not set: {string.Join(", ", missing)}.");

        static Uri Url(string value, string name) =>
            Uri.TryCreate(value, UriKind.Absolute, out var uri) ? uri : throw Invalid($"{name} is not an absolute URL.");
    }

    internal bool HasRefreshCredentials =>
        !string.IsNullOrEmpty(ClientId) && !string.IsNullOrEmpty(ClientSecret) && !string.IsNullOrEmpty(RefreshToken);

    internal void Validate()
    {
        if (!HasRefreshCredentials && string.IsNullOrEmpty(AccessToken))
            throw Invalid("Give a client id, client secret and refresh token, or an access token.");
        if (RequestTimeout <= TimeSpan.Zero)
            throw Invalid("The request timeout must be positive.");
        if (MaxConcurrentRequests < 1)
            throw Invalid("MaxConcurrentRequests must be at least 1.");
        if (TokenRenewalMargin <= TimeSpan.Zero)
            throw Invalid("The token renewal margin must be positive.");
        if (ApiCreditReserve is < 0)
            throw Invalid("The API credit reserve cannot be negative.");
        if (MaxResponseBytes < 1024)
            throw Invalid("The response size limit must be at least 1 KiB.");
        if (!InputValidator.IsApiVersion(ApiVersion))
            throw Invalid($"'{SecretRedactor.Shorten(ApiVersion)}' is not an API version such as v8.");
        if (!HasRefreshCredentials && !IsHeaderSafe(AccessToken!))
            throw Invalid("The access token holds characters that cannot be sent in an HTTP header (spaces, line breaks, non-ASCII).");
        Retry.Validate();
    }

    /// <summary>Visible ASCII only: what can follow "Zoho-oauthtoken " in a header without changing the request.</summary>
    internal static bool IsHeaderSafe(string value) => value.Length > 0 && value.All(c => c is > ' ' and < '\x7f');

    private static ZcrmException Invalid(string message) =>
        new(ZcrmErrorCodes.InvalidConfiguration, ZcrmErrorKind.InvalidArgument, message);
}
