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
