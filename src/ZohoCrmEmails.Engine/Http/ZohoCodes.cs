namespace ZohoCrmEmails.Engine.Http;

/// <summary>
/// Zoho's error vocabulary in one table: every code the module acts on, with its kind, its advice and what the
/// handlers do about it. A code not listed takes its kind from the HTTP status, and generic advice.
/// </summary>
public static class ZohoCodes
{
    /// <summary>What one of Zoho's error codes means to the module.</summary>
    /// <param name="Kind">The kind of failure (the ErrorRecord's category follows from it); null: the HTTP status decides.</param>
    /// <param name="Advice">The ErrorRecord's recommended action.</param>
    /// <param name="RenewsToken">A 401 with this code: the token expired or was revoked, and one renewal may help.</param>
    /// <param name="Retryable">A 400 with this code is retried like a 5xx (Zoho says its causes are mostly temporary).</param>
    public sealed record Entry(ZcrmErrorKind? Kind, string Advice, bool RenewsToken = false, bool Retryable = false);

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

    /// <summary>The advice for credentials that no longer work; also the module's own Zcrm.AuthenticationFailed.</summary>
    public const string ReconnectAdvice = "Run Connect-Zcrm again with a valid client id, client secret and refresh token.";

    /// <summary>The advice for a module name Zoho (or the module's own check) refused.</summary>
    public const string ModuleAdvice = "Use a module API name such as Leads, Contacts, Accounts or Deals (letters, digits and underscores only).";

    private static readonly Dictionary<string, Entry> Table = new(StringComparer.Ordinal)
    {
        [InvalidToken] = new(ZcrmErrorKind.Authentication, ReconnectAdvice, RenewsToken: true),
        [InvalidOAuthToken] = new(ZcrmErrorKind.Authentication, ReconnectAdvice, RenewsToken: true),
        [AuthenticationFailure] = new(ZcrmErrorKind.Authentication, ReconnectAdvice),
        [OAuthScopeMismatch] = new(ZcrmErrorKind.Authentication,
            "Create a refresh token with the scopes the message names (besides those you use already), then run Connect-Zcrm again."),
        [NoPermission] = new(ZcrmErrorKind.PermissionDenied,
            "Ask a Zoho CRM administrator for permission to read this record's e-mails, or skip the record."),
        [TooManyRequests] = new(ZcrmErrorKind.LimitsExceeded,
            "Wait for API credits or concurrency to free up (Zoho's credits are per rolling 24 hours), lower -ThrottleLimit " +
            "or Connect-Zcrm -MaxConcurrentRequests, and run again later; a re-run reads only what failed."),
        [InvalidUrlPattern] = new(ZcrmErrorKind.NotFound, "Check the module and record id."),
        [InternalError] = new(ZcrmErrorKind.Connection, "Zoho CRM is failing: check Zoho's status, then run the command again later."),
        // Retried first, as Zoho's text asks ("try after some time").
        [CannotProcess] = new(null,
            "Zoho says this is mostly temporary (a mailbox sync, the e-mail search briefly unavailable): run again later.", Retryable: true),
        [InvalidModule] = new(null, ModuleAdvice),
    };

    /// <summary>The code's entry, or null for a code the module has no rule for.</summary>
    public static Entry? Find(string? code) => code is null ? null : Table.GetValueOrDefault(code);
}
