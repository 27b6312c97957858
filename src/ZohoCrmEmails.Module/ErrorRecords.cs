using System.Management.Automation;
using ZohoCrmEmails.Engine;
using ZohoCrmEmails.Engine.Http;

namespace ZohoCrmEmails.Module;

/// <summary>
/// ZcrmException → ErrorRecord: ErrorId "Zcrm.&lt;code&gt;", a category by kind, and what to type about it (the engine
/// says what went wrong; only the module knows the cmdlets and parameters).
/// </summary>
public static class ErrorRecords
{
    /// <param name="item">What failed, put in front of the message ("Deals/4150868000001234001: …"); null for none.</param>
    public static ErrorRecord From(ZcrmException ex, object? target, string? item, Func<string, string> redact) => new(ex, ex.ErrorId, Category(ex.Kind), target)
    {
        ErrorDetails = new ErrorDetails(redact(Prefix(item) + ex.Message)) { RecommendedAction = redact(RecommendedAction(ex)) },
    };

    internal static string Prefix(string? item) => string.IsNullOrEmpty(item) ? "" : item + ": ";

    /// <summary>A record: "Deals/4150868000001234001" (an e-mail's text form is <see cref="EmailId"/>'s).</summary>
    public static string Describe(string module, string recordId) => $"{module}/{recordId}";

    /// <summary>An e-mail by its message id, or, listed without one, by its subject and time.</summary>
    public static string Describe(Models.ZcrmEmail email) => string.IsNullOrWhiteSpace(email.MessageId)
        ? $"{email.Module}/{email.RecordId}, an e-mail without a message id (subject '{SecretRedactor.Shorten(email.Subject ?? "", 48)}', time {email.Time?.ToString("u", System.Globalization.CultureInfo.InvariantCulture) ?? "none"})"
        : EmailId.Of(email).ToString();

    /// <summary>
    /// What a failure of one item within an input's work names (an e-mail of a record's listing): its TargetObject and
    /// the item in front of its message.
    /// </summary>
    public static (object Target, string Item) Subject(object subject) => subject switch
    {
        Models.ZcrmEmail { MessageId.Length: > 0 } e => (e.MessageId, Describe(e)),
        Models.ZcrmEmail e => (e, Describe(e)),
        Engine.Paging.Mailbox m => (m, m.ToString()),
        _ => (subject, subject.ToString() ?? ""),
    };

    public static string Describe(Engine.Archive.EmailRequest request) =>
        request.Listed is { } listed ? Describe(listed) : request.Id.ToString();

    /// <summary>What an error about an e-mail to archive names as its TargetObject: its message id, or the listed e-mail that has none.</summary>
    public static object Target(Engine.Archive.EmailRequest request) =>
        string.IsNullOrWhiteSpace(request.Id.MessageId) && request.Listed is { } listed ? listed : request.Id.MessageId;

    public static string Describe(Engine.Paging.RecordRequest request) => request.ToString();

    /// <summary>An attachment by its name, with its e-mail and record.</summary>
    public static string Describe(Models.ZcrmEmail email, Models.ZcrmAttachment attachment) =>
        $"{EmailId.Of(email)}, attachment '{SecretRedactor.Shorten(attachment.Name ?? attachment.Id ?? "", 48)}'";

    public static ErrorCategory Category(ZcrmErrorKind kind) => kind switch
    {
        ZcrmErrorKind.InvalidArgument => ErrorCategory.InvalidArgument,
        ZcrmErrorKind.Authentication => ErrorCategory.AuthenticationError,
        ZcrmErrorKind.PermissionDenied => ErrorCategory.PermissionDenied,
        ZcrmErrorKind.NotFound => ErrorCategory.ObjectNotFound,
        ZcrmErrorKind.LimitsExceeded => ErrorCategory.LimitsExceeded,
        ZcrmErrorKind.Connection => ErrorCategory.ConnectionError,
        ZcrmErrorKind.Timeout => ErrorCategory.OperationTimeout,
        ZcrmErrorKind.InvalidResponse => ErrorCategory.InvalidResult,
        ZcrmErrorKind.WriteFailed => ErrorCategory.WriteError,
        _ => ErrorCategory.NotSpecified,
    };

    private const string ReconnectAdvice = "Run Connect-Zcrm again with a valid client id, client secret and refresh token.";
    private const string ModuleAdvice = "Use a module API name such as Leads, Contacts, Accounts or Deals (letters, digits and underscores only).";

    /// <summary>
    /// What to type about an error: the engine says what happened; only the module knows the cmdlets and their
    /// parameters. Zoho's codes and the module's own, one table.
    /// </summary>
    internal static string RecommendedAction(ZcrmException e) => e.Code switch
    {
        ZohoCodes.InvalidToken or ZohoCodes.InvalidOAuthToken or ZohoCodes.AuthenticationFailure or ZcrmErrorCodes.AuthenticationFailed => ReconnectAdvice,
        ZohoCodes.OAuthScopeMismatch => "Create a refresh token with the scopes the message names (besides those you use already), then run Connect-Zcrm again.",
        ZohoCodes.NoPermission => "Ask a Zoho CRM administrator for permission to read this record's e-mails, or skip the record.",
        ZohoCodes.TooManyRequests => "Wait for API credits or concurrency to free up (Zoho's credits are per rolling 24 hours), lower -ThrottleLimit " +
            "or Connect-Zcrm -MaxConcurrentRequests, and run again later; a re-run reads only what failed.",
        ZohoCodes.InvalidUrlPattern => "Check the module and record id.",
        ZohoCodes.InternalError => "Zoho CRM is failing: check Zoho's status, then run the command again later.",
        ZohoCodes.CannotProcess => "Zoho says this is mostly temporary (a mailbox sync, the e-mail search briefly unavailable): run again later.",
        ZohoCodes.InvalidModule or ZcrmErrorCodes.InvalidModule => ModuleAdvice,
        ZohoCodes.SyntaxError or ZohoCodes.InvalidQuery or ZohoCodes.LimitExceeded => "Correct the clause the message names in -Criteria (COQL: at most 25 conditions, 'text' in single quotes).",
        ZcrmErrorCodes.CreditReserveReached => "Run again when the org's credits have recovered (they are counted over a rolling 24 hours), or lower Connect-Zcrm -ApiCreditReserve.",
        ZcrmErrorCodes.InvalidCustomViewId => "Pass the custom view's id, the digits in its URL in Zoho CRM.",
        ZcrmErrorCodes.InvalidCriteria => "Give -Criteria a COQL where clause such as \"Stage = 'Closed Won'\", or leave it out.",
        ZcrmErrorCodes.InvalidField => "Pass -Fields as API names (Setup > Developer Space > APIs > API names), at most 48.",
        ZcrmErrorCodes.RecordListIncomplete => "Narrow the records with -Criteria (COQL walks past every cap by id), or go on from the last id the message names.",
        ZcrmErrorCodes.SweepInProgress => "Let the other run finish (or stop it); a run killed leaves no lock behind.",
        ZcrmErrorCodes.InvalidApiPath => "Give -Path as a path of Zoho CRM's API starting with /crm/, such as /crm/v8/users?type=ActiveUsers.",
        ZcrmErrorCodes.InvalidRecordId => "Pass the record id as a string of digits, as Zoho CRM shows it.",
        ZcrmErrorCodes.InvalidMessageId => "Pass the message id from a listed e-mail's MessageId property.",
        ZcrmErrorCodes.InvalidAttachmentId => "Pass the attachment id from an e-mail's Attachments property (Get-ZcrmRecordEmail -MessageId).",
        ZcrmErrorCodes.InvalidOwnerId or ZcrmErrorCodes.InvalidParameterCombination => "Check the combination of -Type, -OwnerId, -MessageId and -Module (see Get-Help Get-ZcrmRecordEmail).",
        ZcrmErrorCodes.InvalidConfiguration => "Check the Connect-Zcrm parameters or the ZCRM_* environment variables named in the message.",
        ZcrmErrorCodes.InsecureEndpoint => "Use an https URL for -AccountsUrl and -ApiDomain; http is accepted only for loopback hosts.",
        ZcrmErrorCodes.NotConnected => "Run Connect-Zcrm first, or pass -Connection.",
        ZcrmErrorCodes.ResponseTooLarge => "If a real e-mail is that large, run Connect-Zcrm again with a larger -MaximumResponseSize; otherwise report the request shown in the error.",
        ZcrmErrorCodes.Timeout => "Zoho CRM did not answer in time: check the network and Zoho's status, then run again, or raise Connect-Zcrm -TimeoutSec.",
        ZcrmErrorCodes.ConnectionFailed => "Check the network, any proxy and firewall, and the data centre or -AccountsUrl/-ApiDomain given to Connect-Zcrm; then run the command again.",
        ZcrmErrorCodes.RepeatingCursor or ZcrmErrorCodes.InvalidResponse => "Run the command again; if it persists, report the request shown in the error to Zoho support.",
        ZcrmErrorCodes.EmailNotFound => "Check the message id; the e-mail may have been deleted.",
        ZcrmErrorCodes.AttachmentNotFound => "Read the e-mail again (Get-ZcrmRecordEmail -MessageId) to see its current attachments.",
        ZcrmErrorCodes.AttachmentSizeMismatch => "Run the command again; the partial file was removed.",
        ZcrmErrorCodes.FileExists => "Add -Force to replace the file, or choose another -Path.",
        ZcrmErrorCodes.InvalidPath => "Give -Path a folder of the file system (a relative path, ~, or a FileSystem drive such as C: or TestDrive:).",
        ZcrmErrorCodes.WriteFailed => "Check that -Path is writable and has room, then run the command again.",
        _ => e.Kind switch
        {
            ZcrmErrorKind.InvalidArgument => "Check the module, record id and parameters given.",
            ZcrmErrorKind.NotFound => "Check the module and record id.",
            ZcrmErrorKind.Connection => "Run the command again later.",
            _ => "See the error message for details.",
        },
    };
}
