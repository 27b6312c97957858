namespace ZohoCrmEmails;

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
    public const string InvalidCustomViewId = "InvalidCustomViewId";
    public const string InvalidCriteria = "InvalidCriteria";
    public const string InvalidField = "InvalidField";
    public const string RecordListIncomplete = "RecordListIncomplete";
    public const string SweepInProgress = "SweepInProgress";
    public const string InvalidApiPath = "InvalidApiPath";
}
