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
    WriteFailed,
}

/// <summary>
/// The one error type of the module. <see cref="Code"/> is Zoho's code (NO_PERMISSION, INVALID_DATA, …) or one of
/// the module's own codes in <see cref="ZcrmErrorCodes"/>; with "Zcrm." in front it is the public ErrorId.
/// Its texts are redacted where they are made: no token, secret or URL credential, whatever the server sent.
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
    /// <summary>"GET /crm/v8/Deals/1/Emails?index=…": method, path and query; never a host, token or credential.</summary>
    public string? Request { get; }
    /// <summary>Zoho's "details" object (param_name, …), values as text.</summary>
    public IReadOnlyDictionary<string, string> Details { get; }

    /// <summary>The public ErrorId of this failure, e.g. "Zcrm.NO_PERMISSION".</summary>
    public string ErrorId => "Zcrm." + Code;

    /// <summary>True for failures a retry may cure (timeouts, dropped connections); the retry handler uses it.</summary>
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

/// <summary>
/// The module's own error codes (Zoho's codes pass through unchanged). A public contract, documented in README.md:
/// never rename one.
/// </summary>
public static class ZcrmErrorCodes
{
    public const string InvalidRecordId = "InvalidRecordId";
    public const string InvalidModule = "InvalidModule";
    public const string InvalidMessageId = "InvalidMessageId";
    public const string InvalidOwnerId = "InvalidOwnerId";
    public const string InvalidAttachmentId = "InvalidAttachmentId";
    public const string InvalidPath = "InvalidPath";
    public const string InvalidParameterCombination = "InvalidParameterCombination";
    public const string InvalidConfiguration = "InvalidConfiguration";
    public const string InsecureEndpoint = "InsecureEndpoint";
    public const string AuthenticationFailed = "AuthenticationFailed";
    public const string NotConnected = "NotConnected";
    public const string Timeout = "Timeout";
    public const string ConnectionFailed = "ConnectionFailed";
    public const string InvalidResponse = "InvalidResponse";
    public const string ResponseTooLarge = "ResponseTooLarge";
    public const string RepeatingCursor = "RepeatingCursor";
    public const string EmailNotFound = "EmailNotFound";
    public const string AttachmentNotFound = "AttachmentNotFound";
    public const string AttachmentSizeMismatch = "AttachmentSizeMismatch";
    public const string FileExists = "FileExists";
    public const string WriteFailed = "WriteFailed";
    public const string HttpError = "HttpError";
    public const string CreditReserveReached = "CreditReserveReached";
    public const string ArchiveLocked = "ArchiveLocked";
    public const string ArchiveIndexNotFound = "ArchiveIndexNotFound";
}
