using System.Globalization;
using System.Net;
using System.Text.Json;
using ZohoCrmEmails.Engine.Json;

namespace ZohoCrmEmails.Engine.Http;

/// <summary>
/// Zoho's error vocabulary in one table: every code the engine acts on, with its kind and what the handlers do about it.
/// A code not listed takes its kind from the HTTP status. What to type about an error is the module's to say
/// (ErrorRecords), not the engine's.
/// </summary>
public static class ZohoCodes
{
    /// <summary>What one of Zoho's error codes means to the engine.</summary>
    /// <param name="Kind">The kind of failure (the ErrorRecord's category follows from it); null: the HTTP status decides.</param>
    /// <param name="RenewsToken">A 401 with this code: the token expired or was revoked, and one renewal may help.</param>
    /// <param name="Retryable">A 400 with this code is retried like a 5xx (Zoho says its causes are mostly temporary).</param>
    public sealed record Entry(ZcrmErrorKind? Kind, bool RenewsToken = false, bool Retryable = false);

    public const string InvalidToken = "INVALID_TOKEN";
    public const string InvalidOAuthToken = "INVALID_OAUTHTOKEN";
    public const string AuthenticationFailure = "AUTHENTICATION_FAILURE";
    public const string OAuthScopeMismatch = "OAUTH_SCOPE_MISMATCH";
    public const string NoPermission = "NO_PERMISSION";
    public const string TooManyRequests = "TOO_MANY_REQUESTS";
    public const string InvalidUrlPattern = "INVALID_URL_PATTERN";
    public const string InternalError = "INTERNAL_ERROR";
    public const string CannotProcess = "CANNOT_PROCESS";
    public const string InvalidModule = "INVALID_MODULE";
    // The Records API's walk limits: past them, the walk goes on through COQL by id.
    public const string PaginationLimitExceeded = "PAGINATION_LIMIT_EXCEEDED";
    public const string DiscretePaginationLimitExceeded = "DISCRETE_PAGINATION_LIMIT_EXCEEDED";
    public const string ExpiredValue = "EXPIRED_VALUE";
    public const string TokenBoundDataMismatch = "TOKEN_BOUND_DATA_MISMATCH";
    // COQL's: a clause Zoho cannot read, and more rows a call than it allows.
    public const string SyntaxError = "SYNTAX_ERROR";
    public const string InvalidQuery = "INVALID_QUERY";
    public const string LimitExceeded = "LIMIT_EXCEEDED";

    /// <summary>The scopes the e-mail calls need: said in the message of a scope mismatch.</summary>
    public const string RequiredScopes = "ZohoCRM.modules.READ (or ZohoCRM.modules.<module>.READ) and ZohoCRM.modules.emails.READ";

    /// <summary>The scopes a call needs, by its request line: COQL's own scope, a module's records, or the e-mail calls'.</summary>
    public static string ScopesFor(string? request) =>
        request is null ? RequiredScopes
        : request.Contains("/coql", StringComparison.Ordinal) ? "ZohoCRM.coql.READ and ZohoCRM.modules.READ (or ZohoCRM.modules.<module>.READ)"
        : request.Contains("/Emails", StringComparison.Ordinal) || request.Contains("/__emails", StringComparison.Ordinal) ? RequiredScopes
        : "ZohoCRM.modules.READ (or ZohoCRM.modules.<module>.READ)";

    private static readonly Dictionary<string, Entry> Table = new(StringComparer.Ordinal)
    {
        [InvalidToken] = new(ZcrmErrorKind.Authentication, RenewsToken: true),
        [InvalidOAuthToken] = new(ZcrmErrorKind.Authentication, RenewsToken: true),
        [AuthenticationFailure] = new(ZcrmErrorKind.Authentication),
        [OAuthScopeMismatch] = new(ZcrmErrorKind.Authentication),
        [NoPermission] = new(ZcrmErrorKind.PermissionDenied),
        [TooManyRequests] = new(ZcrmErrorKind.LimitsExceeded),
        [InvalidUrlPattern] = new(ZcrmErrorKind.NotFound),
        [InternalError] = new(ZcrmErrorKind.Connection),
        // Retried first, as Zoho's text asks ("try after some time").
        [CannotProcess] = new(null, Retryable: true),
        [InvalidModule] = new(null),
    };

    /// <summary>The code's entry, or null for a code the engine has no rule for.</summary>
    public static Entry? Find(string? code) => code is null ? null : Table.GetValueOrDefault(code);
}

/// <summary>Zoho's error bodies and HTTP failures into <see cref="ZcrmException"/>s with Zoho's own code.</summary>
internal static class ZohoErrors
{
    /// <summary>The error of a non-success response: Zoho's code when its body (read once, on the wire) had one, else one for the status.</summary>
    public static ZcrmException FromResponse(HttpResponseMessage response, RequestState state)
    {
        var status = (int)response.StatusCode;
        var error = state.Error?.ReportedError;
        var code = string.IsNullOrWhiteSpace(error?.Code) ? CodeForStatus(status) : error.Code;
        var message = string.IsNullOrWhiteSpace(error?.Message) ? $"Zoho CRM answered HTTP {status} {response.ReasonPhrase}." : error.Message;
        return Create(code, message, status, state.RequestLine, error?.Details);
    }

    /// <summary>The error a body sent with HTTP 200 reports instead of data.</summary>
    public static ZcrmException FromEnvelope(ErrorEnvelope error, int status, string request) =>
        Create(error.Code!, string.IsNullOrWhiteSpace(error.Message) ? $"Zoho CRM answered HTTP {status} with the error {error.Code}." : error.Message,
            status, request, error.Details);

    /// <summary>Zoho's code of the last attempt's error body, if it had one: what the auth and retry handlers decide on.</summary>
    public static string? Code(RequestState state) => state.Error?.ReportedError?.Code;

    /// <summary>An error body as Zoho writes it, read once where the body is read; null when it is not Zoho's JSON.</summary>
    public static ErrorEnvelope? Read(BufferedBody body)
    {
        if (body.Length == 0) return null;
        try
        {
            return JsonSerializer.Deserialize(body.Span, ZcrmJsonContext.Default.ErrorEnvelope);
        }
        catch (JsonException)
        {
            return null;   // not Zoho's JSON: the status speaks
        }
    }

    // Only a code shaped like Zoho's (INVALID_DATA) becomes part of the public ErrorId; any other stays in the details.
    // The texts are bounded where they are redacted (SecretRedactor), so that no cut leaves part of a secret.
    private const int MaxCodeLength = 64;

    private static ZcrmException Create(string code, string message, int status, string request, JsonElement? details)
    {
        var map = Details(details);
        // What Zoho put in details says which parameter, or why (CANNOT_PROCESS: a sync in progress …): part of the message.
        if (map is { Count: > 0 })
            message += " (" + string.Join("; ", map.Select(d => $"{d.Key}: {d.Value}")) + ")";
        if (!IsZohoCode(code))
        {
            (map ??= new(StringComparer.Ordinal))["code"] = code;
            code = CodeForStatus(status);
        }
        if (code == ZohoCodes.OAuthScopeMismatch)
            message += $" This call needs the scopes {ZohoCodes.ScopesFor(request)}.";
        return new ZcrmException(code, KindFor(code, status), message, status, request, map);
    }

    private static bool IsZohoCode(string code) =>
        code.Length <= MaxCodeLength && code.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.');

    internal static string CodeForStatus(int status) => status switch
    {
        < 300 => ZcrmErrorCodes.InvalidResponse,   // a 200 that reports an error without a usable code
        429 => ZohoCodes.TooManyRequests,
        >= 500 => ZohoCodes.InternalError,
        _ => ZcrmErrorCodes.HttpError,
    };

    internal static ZcrmErrorKind KindFor(string code, int status) => ZohoCodes.Find(code)?.Kind ?? code switch
    {
        ZcrmErrorCodes.InvalidResponse => ZcrmErrorKind.InvalidResponse,
        _ => status switch
        {
            401 => ZcrmErrorKind.Authentication,
            403 => ZcrmErrorKind.PermissionDenied,
            404 => ZcrmErrorKind.NotFound,
            429 => ZcrmErrorKind.LimitsExceeded,
            >= 500 => ZcrmErrorKind.Connection,
            _ => ZcrmErrorKind.InvalidArgument,
        },
    };

    private const int MaxDetails = 32;

    private static Dictionary<string, string>? Details(JsonElement? details)
    {
        if (details is not { ValueKind: JsonValueKind.Object } obj) return null;
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var p in obj.EnumerateObject().Take(MaxDetails))
            map[p.Name] = p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString()! : p.Value.GetRawText();
        return map;
    }
}

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
