namespace ZohoCrmEmails.Engine;

/// <summary>
/// Refuses bad input before any request is made, each with its own error code. Every check is anchored and
/// ASCII-only: a value either is entirely what the URL expects there, or it is refused.
/// </summary>
public static class InputValidator
{
    private const int MaxModuleLength = 100;
    private const int MaxMessageIdLength = 1024;
    private const int MaxAttachmentIdLength = 1024;

    /// <summary>A module API name: an ASCII letter, then ASCII letters, digits and underscores.</summary>
    public static void Module(string? module)
    {
        if (string.IsNullOrWhiteSpace(module))
            throw Invalid(ZcrmErrorCodes.InvalidModule, "The module name is empty.");
        if (module.Length > MaxModuleLength || !char.IsAsciiLetter(module[0]) || !module.All(c => char.IsAsciiLetterOrDigit(c) || c == '_'))
            throw Invalid(ZcrmErrorCodes.InvalidModule,
                $"'{SecretRedactor.Shorten(module)}' is not a module API name: use letters, digits and underscores only, starting with a letter (e.g. Deals).");
    }

    /// <summary>
    /// A record id as Zoho's own exports write it, "zcrm_4150868000001234001", as the digits the API takes; any other
    /// text is returned as it is (and validated as such).
    /// </summary>
    public static string NormalizeRecordId(string recordId) =>
        recordId.StartsWith(ExportPrefix, StringComparison.OrdinalIgnoreCase) && recordId.Length > ExportPrefix.Length && IsAsciiDigits(recordId[ExportPrefix.Length..])
            ? recordId[ExportPrefix.Length..]
            : recordId;

    private const string ExportPrefix = "zcrm_";

    public static void RecordId(string? recordId)
    {
        if (string.IsNullOrWhiteSpace(recordId))
            throw Invalid(ZcrmErrorCodes.InvalidRecordId, "The record id is empty.");
        if (!IsAsciiDigits(recordId) || !long.TryParse(recordId, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var value) || value <= 0)
            throw Invalid(ZcrmErrorCodes.InvalidRecordId, $"'{SecretRedactor.Shorten(recordId)}' is not a record id: expected a positive 64-bit number written in digits.");
    }

    /// <summary>
    /// Any opaque id Zoho may hand out is escaped as one path segment, except what no escaping can keep in its place:
    /// "." and ".." (servers remove dot segments, so the call would reach another URL), control characters, and
    /// absurd lengths.
    /// </summary>
    public static void MessageId(string? messageId)
    {
        if (string.IsNullOrWhiteSpace(messageId))
            throw Invalid(ZcrmErrorCodes.InvalidMessageId, "The message id is empty.");
        if (messageId.Length > MaxMessageIdLength || messageId.All(c => c == '.') || messageId.Any(char.IsControl))
            throw Invalid(ZcrmErrorCodes.InvalidMessageId,
                $"'{SecretRedactor.Shorten(messageId)}' is not a message id: it is made of dots only, holds control characters or is longer than {MaxMessageIdLength} characters.");
    }

    public static void OwnerId(string? ownerId)
    {
        if (ownerId is null) return;
        if (!IsAsciiDigits(ownerId) || !long.TryParse(ownerId, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out _))
            throw Invalid(ZcrmErrorCodes.InvalidOwnerId, $"'{SecretRedactor.Shorten(ownerId)}' is not a user id: expected digits.");
    }

    /// <summary>An attachment id travels in the query string (escaped); it must at least be a plain, bounded value.</summary>
    public static void AttachmentId(string? attachmentId)
    {
        if (string.IsNullOrWhiteSpace(attachmentId) || attachmentId.Length > MaxAttachmentIdLength || attachmentId.Any(char.IsControl))
            throw Invalid(ZcrmErrorCodes.InvalidAttachmentId, $"'{SecretRedactor.Shorten(attachmentId ?? "")}' is not an attachment id.");
    }

    /// <summary>"v8", "v2.1": what may stand in /crm/{version}/.</summary>
    public static bool IsApiVersion(string? version)
    {
        if (version is not { Length: >= 2 } || version[0] != 'v') return false;
        var parts = version[1..].Split('.');
        return parts.Length <= 2 && parts.All(p => p.Length is > 0 and <= 4 && IsAsciiDigits(p));
    }

    /// <summary>A record: its module's API name and its id.</summary>
    public static void Record(string? module, string? recordId)
    {
        Module(module);
        RecordId(recordId);
    }

    /// <summary>Listing a record's e-mails, with an optional filter.</summary>
    public static void EmailList(string module, string recordId, ZcrmEmailQuery? query)
    {
        Record(module, recordId);
        Query(module, query);
    }

    /// <summary>Reading one e-mail of a record in full, optionally from a shared user's mailbox.</summary>
    public static void Email(string module, string recordId, string messageId, string? ownerId)
    {
        Record(module, recordId);
        MessageId(messageId);
        OwnerId(ownerId);
    }

    public static void Query(string module, ZcrmEmailQuery? query)
    {
        if (query is null) return;
        OwnerId(query.OwnerId);
        if (query.OwnerId is not null && query.Type != ZcrmEmailType.UserEmails)
            throw Invalid(ZcrmErrorCodes.InvalidParameterCombination, "An owner id can only be given with the UserEmails type (type=user_emails).");
        if (query.Type is { } type && type.IsAccountsOnly() && !string.Equals(module, "Accounts", StringComparison.Ordinal))
            throw Invalid(ZcrmErrorCodes.InvalidParameterCombination, $"The type {type} is only available for the Accounts module, not '{module}'.");
    }

    private const int MaxFields = 48;
    private const int MaxCriteriaLength = 10_000;

    /// <summary>
    /// Which records to find: a module name; fields that are API names (at most 48, id and Modified_Time come anyway); a
    /// custom view's id in digits; a criteria that is not empty; and no custom view with a criteria or an activity time
    /// (COQL knows no custom views).
    /// </summary>
    public static void RecordQuery(ZcrmRecordQuery query)
    {
        Module(query.Module);
        if (query.Fields.Count > MaxFields)
            throw Invalid(ZcrmErrorCodes.InvalidField, $"{query.Fields.Count} fields were asked for; Zoho returns at most 50 a call, id and Modified_Time among them: ask for {MaxFields} at most.");
        foreach (var field in query.Fields)
            if (string.IsNullOrEmpty(field) || field.Length > MaxModuleLength || !char.IsAsciiLetter(field[0]) || !field.All(c => char.IsAsciiLetterOrDigit(c) || c == '_'))
                throw Invalid(ZcrmErrorCodes.InvalidField,
                    $"'{SecretRedactor.Shorten(field ?? "")}' is not a field API name: use letters, digits and underscores only, starting with a letter (e.g. Deal_Name).");
        if (query.CustomViewId is { } cvid && !IsId(cvid))
            throw Invalid(ZcrmErrorCodes.InvalidCustomViewId, $"'{SecretRedactor.Shorten(cvid)}' is not a custom view id: expected digits (from the view's URL in Zoho CRM).");
        if (query.Criteria is { } criteria)
        {
            if (string.IsNullOrWhiteSpace(criteria))
                throw Invalid(ZcrmErrorCodes.InvalidCriteria, "The criteria is empty: give a COQL where clause such as \"Stage = 'Closed Won'\", or none.");
            if (criteria.Length > MaxCriteriaLength || criteria.Any(char.IsControl))
                throw Invalid(ZcrmErrorCodes.InvalidCriteria, $"The criteria holds control characters or is longer than {MaxCriteriaLength} characters.");
        }
        if (query.CustomViewId is not null && query.NeedsCoql)
            throw Invalid(ZcrmErrorCodes.InvalidParameterCombination,
                "A custom view cannot be combined with a criteria or an activity time: COQL, which those need, knows no custom views.");
    }

    private const int MaxApiPathLength = 8000;

    /// <summary>
    /// A path of Zoho CRM's API, relative to the connection's API domain: "/crm/…", with its query. Never another host
    /// ("//host", a scheme), never the accounts server, no "." or ".." segment (plain or %2E-escaped) and no escaped
    /// slash that a server could read as one, no backslash or control character.
    /// </summary>
    public static void ApiPath(string? pathAndQuery)
    {
        static ZcrmException Bad(string path, string why) =>
            Invalid(ZcrmErrorCodes.InvalidApiPath, $"'{SecretRedactor.Shorten(path)}' is not a path of Zoho CRM's API: {why}.");
        if (string.IsNullOrWhiteSpace(pathAndQuery))
            throw Invalid(ZcrmErrorCodes.InvalidApiPath, "The path is empty: give one such as /crm/v8/users?type=ActiveUsers.");
        if (pathAndQuery.Length > MaxApiPathLength || pathAndQuery.Any(c => char.IsControl(c) || c == '\\'))
            throw Bad(pathAndQuery, $"it holds a control character or a backslash, or is longer than {MaxApiPathLength} characters");
        var path = pathAndQuery.Split('?', 2)[0];
        if (!path.StartsWith("/crm/", StringComparison.Ordinal) || path.Contains("//", StringComparison.Ordinal))
            throw Bad(pathAndQuery, "it must start with /crm/ (it is sent to the connection's API domain, never to another host)");
        foreach (var segment in path.Split('/'))
        {
            string decoded;
            try
            {
                decoded = Uri.UnescapeDataString(segment);
            }
            catch (UriFormatException)
            {
                throw Bad(pathAndQuery, "it is not escaped as a URL path");
            }
            if (decoded is "." or ".." || decoded.IndexOfAny(['/', '\\']) >= 0)
                throw Bad(pathAndQuery, "it holds a '.' or '..' segment, or an escaped slash");
        }
    }

    /// <summary>A Zoho id: a string of ASCII digits that fits 64 bits.</summary>
    public static bool IsId(string s) =>
        IsAsciiDigits(s) && long.TryParse(s, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out _);

    private static bool IsAsciiDigits(string s) => s.Length > 0 && s.All(char.IsAsciiDigit);

    private static ZcrmException Invalid(string code, string message) => new(code, ZcrmErrorKind.InvalidArgument, message);
}
