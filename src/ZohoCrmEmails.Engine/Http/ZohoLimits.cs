using System.Globalization;
using System.Net;

namespace ZohoCrmEmails.Engine.Http;

/// <summary>
/// What a response says about Zoho's limits: the day's credits left, Retry-After, and what a 429 is about. A 429 that
/// says no credit is left (X-API-CREDITS-REMAINING: 0) is about the day's credits, which waiting minutes will not cure;
/// any other 429 (no credits header, or credits left) is about the org's calls at once, which a moment's wait and
/// fewer requests at once cure.
/// </summary>
internal static class ZohoLimits
{
    public static long? CreditsRemaining(HttpResponseMessage response) =>
        response.Headers.TryGetValues("X-API-CREDITS-REMAINING", out var values)
        && long.TryParse(values.FirstOrDefault(), NumberStyles.None, CultureInfo.InvariantCulture, out var credits)
            ? credits
            : null;

    public static bool IsConcurrencyRefusal(HttpResponseMessage response) =>
        response.StatusCode == HttpStatusCode.TooManyRequests && CreditsRemaining(response) is not 0;

    public static TimeSpan? RetryAfter(HttpResponseMessage response, TimeProvider time)
    {
        var header = response.Headers.RetryAfter;
        if (header?.Delta is { } delta) return delta < TimeSpan.Zero ? TimeSpan.Zero : delta;
        if (header?.Date is { } date)
        {
            var wait = date - time.GetUtcNow();
            return wait < TimeSpan.Zero ? TimeSpan.Zero : wait;
        }
        return null;
    }
}
