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
