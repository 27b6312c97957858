namespace ZohoCrmEmails.Engine;

/// <summary>The accounts server and API domain of each data centre.</summary>
public static class ZcrmDataCenters
{
    public static Uri AccountsUrl(ZcrmDataCenter dataCenter) => new(dataCenter switch
    {
        ZcrmDataCenter.US => "https://accounts.zoho.com",
        ZcrmDataCenter.EU => "https://accounts.zoho.eu",
        ZcrmDataCenter.IN => "https://accounts.zoho.in",
        ZcrmDataCenter.AU => "https://accounts.zoho.com.au",
        ZcrmDataCenter.JP => "https://accounts.zoho.jp",
        ZcrmDataCenter.CN => "https://accounts.zoho.com.cn",
        ZcrmDataCenter.CA => "https://accounts.zohocloud.ca",
        ZcrmDataCenter.SA => "https://accounts.zoho.sa",
        ZcrmDataCenter.UK => "https://accounts.zoho.uk",
        _ => throw new ArgumentOutOfRangeException(nameof(dataCenter)),
    });

    public static Uri ApiDomain(ZcrmDataCenter dataCenter) => new(dataCenter switch
    {
        ZcrmDataCenter.US => "https://www.zohoapis.com",
        ZcrmDataCenter.EU => "https://www.zohoapis.eu",
        ZcrmDataCenter.IN => "https://www.zohoapis.in",
        ZcrmDataCenter.AU => "https://www.zohoapis.com.au",
        ZcrmDataCenter.JP => "https://www.zohoapis.jp",
        ZcrmDataCenter.CN => "https://www.zohoapis.com.cn",
        ZcrmDataCenter.CA => "https://www.zohoapis.ca",
        ZcrmDataCenter.SA => "https://www.zohoapis.sa",
        ZcrmDataCenter.UK => "https://www.zohoapis.uk",
        _ => throw new ArgumentOutOfRangeException(nameof(dataCenter)),
    });
}

/// <summary>
/// Where one connection sends what, resolved once from its options: the token URL, and the API domain unless the
/// token's api_domain decides it. URLs are kept without user info (a password in a URL is a secret, and Zoho
/// authenticates with tokens, not URL credentials).
/// </summary>
internal sealed class ZcrmEndpoints
{
    public ZcrmEndpoints(ZcrmConnectionOptions options)
    {
        AccountsUrl = EndpointGuard.Check(options.AccountsUrl ?? ZcrmDataCenters.AccountsUrl(options.DataCenter), "accounts URL");
        TokenUrl = new Uri(AccountsUrl.GetLeftPart(UriPartial.Path).TrimEnd('/') + "/oauth/v2/token");
        ExplicitApiDomain = options.ApiDomain is { } api ? EndpointGuard.Check(api, "API domain") : null;
        DataCenterApiDomain = ZcrmDataCenters.ApiDomain(options.DataCenter);
    }

    public Uri AccountsUrl { get; }
    public Uri TokenUrl { get; }
    public Uri? ExplicitApiDomain { get; }
    public Uri DataCenterApiDomain { get; }

    /// <summary>An explicit API domain first, then the one returned with the token, then the data centre's.</summary>
    public Uri ApiDomain(Uri? tokenApiDomain) => ExplicitApiDomain ?? tokenApiDomain ?? DataCenterApiDomain;

    /// <summary>"scheme://host[:port]" of the API domain, to which request paths are appended.</summary>
    public string ApiBase(Uri? tokenApiDomain) => ApiDomain(tokenApiDomain).GetLeftPart(UriPartial.Authority);

    /// <summary>The passwords or tokens carried in the user info of the URLs given, for the redactor.</summary>
    public static IEnumerable<string> UserInfoSecrets(ZcrmConnectionOptions options) =>
        new[] { options.AccountsUrl, options.ApiDomain }
            .Where(u => u is { IsAbsoluteUri: true } && u.UserInfo.Length > 0)
            .SelectMany(u => new[] { u!.UserInfo, Uri.UnescapeDataString(u.UserInfo) }
                .Concat(u.UserInfo.Split(':', 2).Skip(1).SelectMany(p => new[] { p, Uri.UnescapeDataString(p) })));
}

/// <summary>Refuses any endpoint a token could leak to: https only, plain http only on loopback.</summary>
public static class EndpointGuard
{
    /// <summary>The URL without user info, if it may be used.</summary>
    public static Uri Check(Uri uri, string what)
    {
        if (!uri.IsAbsoluteUri)
            throw Insecure($"The {what} is not an absolute URL.");
        var clean = WithoutUserInfo(uri);
        if (uri.Scheme == Uri.UriSchemeHttps || (uri.Scheme == Uri.UriSchemeHttp && IsLoopback(uri)))
            return clean;
        throw Insecure($"The {what} '{clean.GetLeftPart(UriPartial.Authority)}' is refused: only https is allowed, and http only for loopback hosts (127.0.0.0/8, ::1, localhost).");
    }

    public static bool IsLoopback(Uri uri) =>
        uri.IsLoopback || (System.Net.IPAddress.TryParse(uri.DnsSafeHost, out var ip) && System.Net.IPAddress.IsLoopback(ip));

    /// <summary>The URL as it may be shown and used: no "user:password@".</summary>
    public static Uri WithoutUserInfo(Uri uri) =>
        uri.IsAbsoluteUri && uri.UserInfo.Length > 0 ? new UriBuilder(uri) { UserName = "", Password = "" }.Uri : uri;

    private static ZcrmException Insecure(string message) =>
        new(ZcrmErrorCodes.InsecureEndpoint, ZcrmErrorKind.InvalidArgument, message);
}
