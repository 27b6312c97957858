namespace ZohoCrmEmails.Engine;

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
