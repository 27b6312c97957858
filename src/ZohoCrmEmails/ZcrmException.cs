namespace ZohoCrmEmails;

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

    /// <summary>
    /// True for failures after which no call on the connection can succeed (the credentials, the credit reserve): they
    /// end a command, where any other failure concerns only the item it names.
    /// </summary>
    internal bool EndsTheRun => Kind == ZcrmErrorKind.Authentication || Code == ZcrmErrorCodes.CreditReserveReached;

    public override string ToString()
    {
        var text = $"{GetType().FullName} [{Code}]: {Message}";
        if (HttpStatus is int s) text += $" (HTTP {s})";
        if (Request is not null) text += $" {Request}";
        if (InnerException is not null) text += Environment.NewLine + " ---> " + InnerException.GetType().FullName + ": " + InnerException.Message;
        return text;
    }
}
