using System.Text.RegularExpressions;

namespace ZohoCrmEmails;

/// <summary>Refuses bad input before any request is made, each with its own error code.</summary>
public static partial class InputValidator
{
    [GeneratedRegex("^[A-Za-z][A-Za-z0-9_]*$")]
    private static partial Regex ModuleName();

    [GeneratedRegex(@"^v\d+(\.\d+)?$")]
    private static partial Regex ApiVersionPattern();

    internal static bool IsApiVersion(string? version) => version is not null && ApiVersionPattern().IsMatch(version);

    public static void Module(string? module)
    {
        if (string.IsNullOrWhiteSpace(module))
            throw new ZcrmException(ZcrmErrorCodes.InvalidModule, ZcrmErrorKind.InvalidArgument, "The module name is empty.");
        if (module.Length > 100 || !ModuleName().IsMatch(module))
            throw new ZcrmException(ZcrmErrorCodes.InvalidModule, ZcrmErrorKind.InvalidArgument,
                $"'{Shorten(module)}' is not a module API name: use letters, digits and underscores only, starting with a letter (e.g. Deals).");
    }

    public static void RecordId(string? recordId)
    {
        if (string.IsNullOrWhiteSpace(recordId))
            throw new ZcrmException(ZcrmErrorCodes.InvalidRecordId, ZcrmErrorKind.InvalidArgument, "The record id is empty.");
        if (!IsDigits(recordId) || !long.TryParse(recordId, out var value) || value <= 0)
            throw new ZcrmException(ZcrmErrorCodes.InvalidRecordId, ZcrmErrorKind.InvalidArgument,
                $"'{Shorten(recordId)}' is not a record id: expected a positive 64-bit number written in digits.");
    }

    public static void MessageId(string? messageId)
    {
        if (string.IsNullOrWhiteSpace(messageId))
            throw new ZcrmException(ZcrmErrorCodes.InvalidMessageId, ZcrmErrorKind.InvalidArgument, "The message id is empty.");
    }

    public static void OwnerId(string? ownerId)
    {
        if (ownerId is null) return;
        if (!IsDigits(ownerId) || !long.TryParse(ownerId, out _))
            throw new ZcrmException(ZcrmErrorCodes.InvalidOwnerId, ZcrmErrorKind.InvalidArgument,
                $"'{Shorten(ownerId)}' is not a user id: expected digits.");
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
            throw new ZcrmException(ZcrmErrorCodes.InvalidParameterCombination, ZcrmErrorKind.InvalidArgument,
                "An owner id can only be given with the UserEmails type (type=user_emails).");
        if (query.Type is { } type && type.IsAccountsOnly() && !string.Equals(module, "Accounts", StringComparison.Ordinal))
            throw new ZcrmException(ZcrmErrorCodes.InvalidParameterCombination, ZcrmErrorKind.InvalidArgument,
                $"The type {type} is only available for the Accounts module, not '{module}'.");
    }

    private static bool IsDigits(string s)
    {
        foreach (var c in s)
            if (c is < '0' or > '9') return false;
        return s.Length > 0;
    }

    // Error text echoes the input, but never an unbounded amount of it.
    private static string Shorten(string s) => s.Length <= 64 ? s : s[..64] + "…";
}
