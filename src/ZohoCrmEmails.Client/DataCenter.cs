namespace ZohoCrmEmails;

/// <summary>Zoho's data centres; each has its own accounts server and API domain.</summary>
public enum ZcrmDataCenter { US, EU, IN, AU, JP, CN, CA, SA, UK }

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

/// <summary>Refuses any endpoint a token could leak to: https only, plain http only on loopback.</summary>
public static class EndpointGuard
{
    public static Uri Check(Uri uri, string what)
    {
        if (!uri.IsAbsoluteUri)
            throw Insecure($"The {what} '{uri}' is not an absolute URL.");
        if (uri.Scheme == Uri.UriSchemeHttps)
            return uri;
        if (uri.Scheme == Uri.UriSchemeHttp && IsLoopback(uri))
            return uri;
        throw Insecure($"The {what} '{uri.GetLeftPart(UriPartial.Authority)}' is refused: only https is allowed, and http only for loopback hosts (127.0.0.0/8, ::1, localhost).");
    }

    public static bool IsLoopback(Uri uri) =>
        uri.IsLoopback || (System.Net.IPAddress.TryParse(uri.DnsSafeHost, out var ip) && System.Net.IPAddress.IsLoopback(ip));

    private static ZcrmException Insecure(string message) =>
        new(ZcrmErrorCodes.InsecureEndpoint, ZcrmErrorKind.InvalidArgument, message);
}
