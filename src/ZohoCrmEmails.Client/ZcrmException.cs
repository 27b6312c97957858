namespace ZohoCrmEmails;

/// <summary>What kind of failure a <see cref="ZcrmException"/> is; the cmdlet layer maps it to an ErrorCategory.</summary>
public enum ZcrmErrorKind
{
    InvalidArgument,
    Authentication,
    PermissionDenied,
    NotFound,
    LimitsExceeded,
    Connection,
    Timeout,
    InvalidResponse,
}

/// <summary>
/// The one error type of the client. <see cref="Code"/> is Zoho's code (NO_PERMISSION, INVALID_DATA, …) or one of
/// the module's own codes in <see cref="ZcrmErrorCodes"/>; together with "Zcrm." it forms the public ErrorId.
/// Never carries a token or secret: <see cref="Request"/> is method and path only.
/// </summary>
public sealed class ZcrmException : Exception
{
    public ZcrmException(string code, ZcrmErrorKind kind, string message, int? httpStatus = null,
        string? request = null, IReadOnlyDictionary<string, string>? details = null, Exception? inner = null)
        : base(message, inner)
    {
        Code = code;
        Kind = kind;
        HttpStatus = httpStatus;
        Request = request;
        Details = details ?? EmptyDetails;
    }

    private static readonly IReadOnlyDictionary<string, string> EmptyDetails = new Dictionary<string, string>();

    public string Code { get; }
    public ZcrmErrorKind Kind { get; }
    public int? HttpStatus { get; }
    /// <summary>"GET /crm/v8/Deals/1/Emails?index=…": never a token, never a host credential.</summary>
    public string? Request { get; }
    public IReadOnlyDictionary<string, string> Details { get; }

    /// <summary>The public ErrorId of this failure, e.g. "Zcrm.NO_PERMISSION".</summary>
    public string ErrorId => "Zcrm." + Code;

    /// <summary>What the user can do about it, for the ErrorRecord's RecommendedAction.</summary>
    public string RecommendedAction => ZcrmErrorCodes.RecommendedAction(this);

    /// <summary>True for failures a retry may cure; the retry handler uses it for timeouts and dropped connections.</summary>
    internal bool IsTransient { get; init; }

    public override string ToString()
    {
        var text = $"{GetType().FullName} [{Code}]: {Message}";
        if (HttpStatus is int s) text += $" (HTTP {s})";
        if (Request is not null) text += $" {Request}";
        if (InnerException is not null) text += Environment.NewLine + " ---> " + InnerException.GetType().FullName + ": " + InnerException.Message;
        return text;
    }
}

/// <summary>The module-side error codes (Zoho's own codes pass through unchanged). A public contract: do not rename.</summary>
public static class ZcrmErrorCodes
{
    public const string InvalidRecordId = "InvalidRecordId";
    public const string InvalidModule = "InvalidModule";
    public const string InvalidMessageId = "InvalidMessageId";
    public const string InvalidOwnerId = "InvalidOwnerId";
    public const string InvalidParameterCombination = "InvalidParameterCombination";
    public const string InvalidConfiguration = "InvalidConfiguration";
    public const string InsecureEndpoint = "InsecureEndpoint";
    public const string AuthenticationFailed = "AuthenticationFailed";
    public const string NotConnected = "NotConnected";
    public const string Timeout = "Timeout";
    public const string ConnectionFailed = "ConnectionFailed";
    public const string InvalidResponse = "InvalidResponse";
    public const string RepeatingCursor = "RepeatingCursor";
    public const string EmailNotFound = "EmailNotFound";
    public const string HttpError = "HttpError";

    internal static ZcrmErrorKind KindFor(string code, int status) => code switch
    {
        "INVALID_TOKEN" or "INVALID_OAUTHTOKEN" or "AUTHENTICATION_FAILURE" or "OAUTH_SCOPE_MISMATCH" => ZcrmErrorKind.Authentication,
        "NO_PERMISSION" => ZcrmErrorKind.PermissionDenied,
        "TOO_MANY_REQUESTS" => ZcrmErrorKind.LimitsExceeded,
        "INVALID_URL_PATTERN" => ZcrmErrorKind.NotFound,
        "INTERNAL_ERROR" => ZcrmErrorKind.Connection,
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

    internal static string RecommendedAction(ZcrmException e) => e.Code switch
    {
        "OAUTH_SCOPE_MISMATCH" => "Create a refresh token with the scopes ZohoCRM.modules.READ (or ZohoCRM.modules.<module>.READ) and ZohoCRM.modules.emails.READ, then run Connect-Zcrm again.",
        "INVALID_TOKEN" or "INVALID_OAUTHTOKEN" or "AUTHENTICATION_FAILURE" or AuthenticationFailed => "Run Connect-Zcrm again with a valid client id, client secret and refresh token.",
        "NO_PERMISSION" => "Ask a Zoho CRM administrator for permission to read this record's e-mails, or skip the record.",
        "TOO_MANY_REQUESTS" => "Wait for API credits or concurrency to free up, lower -ThrottleLimit, or retry later.",
        "INVALID_MODULE" or InvalidModule => "Use a module API name such as Leads, Contacts, Accounts or Deals (letters, digits and underscores only).",
        InvalidRecordId => "Pass the record id as a string of digits, as Zoho CRM shows it.",
        InvalidMessageId => "Pass the message id from a listed e-mail's MessageId property.",
        InvalidOwnerId or InvalidParameterCombination => "Check the combination of -Type, -OwnerId and -Module (see Get-Help Get-ZcrmRecordEmail).",
        InsecureEndpoint => "Use an https URL; http is accepted only for loopback hosts.",
        NotConnected => "Run Connect-Zcrm first, or pass -Connection.",
        Timeout or ConnectionFailed or "INTERNAL_ERROR" => "Check the network and Zoho's status, then retry the command.",
        RepeatingCursor or InvalidResponse => "Retry the command; if it persists, report the request shown in the error to Zoho support.",
        EmailNotFound => "Check the message id; the e-mail may have been deleted.",
        _ => e.Kind switch
        {
            ZcrmErrorKind.InvalidArgument => "Check the module, record id and parameters sent.",
            ZcrmErrorKind.NotFound => "Check the module and record id.",
            ZcrmErrorKind.Connection => "Retry the command later.",
            _ => "See the error message for details.",
        },
    };
}
