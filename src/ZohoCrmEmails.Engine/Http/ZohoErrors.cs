using System.Text.Json;
using ZohoCrmEmails.Engine.Json;

namespace ZohoCrmEmails.Engine.Http;

/// <summary>Zoho's error bodies and HTTP failures into <see cref="ZcrmException"/>s with Zoho's own code.</summary>
internal static class ZohoErrors
{
    /// <summary>The error of a non-success response: Zoho's code when its body (read once, on the wire) had one, else one for the status.</summary>
    public static ZcrmException FromResponse(HttpResponseMessage response, RequestState state)
    {
        var status = (int)response.StatusCode;
        var error = state.Error?.ReportedError;
        var code = string.IsNullOrWhiteSpace(error?.Code) ? CodeForStatus(status) : error.Code;
        var message = string.IsNullOrWhiteSpace(error?.Message) ? $"Zoho CRM answered HTTP {status} {response.ReasonPhrase}." : error.Message;
        return Create(code, message, status, state.RequestLine, error?.Details);
    }

    /// <summary>The error a body sent with HTTP 200 reports instead of data.</summary>
    public static ZcrmException FromEnvelope(ErrorEnvelope error, int status, string request) =>
        Create(error.Code!, string.IsNullOrWhiteSpace(error.Message) ? $"Zoho CRM answered HTTP {status} with the error {error.Code}." : error.Message,
            status, request, error.Details);

    /// <summary>Zoho's code of the last attempt's error body, if it had one: what the auth and retry handlers decide on.</summary>
    public static string? Code(RequestState state) => state.Error?.ReportedError?.Code;

    /// <summary>An error body as Zoho writes it, read once where the body is read; null when it is not Zoho's JSON.</summary>
    public static ErrorEnvelope? Read(BufferedBody body)
    {
        if (body.Length == 0) return null;
        try
        {
            return JsonSerializer.Deserialize(body.Span, ZcrmJsonContext.Default.ErrorEnvelope);
        }
        catch (JsonException)
        {
            return null;   // not Zoho's JSON: the status speaks
        }
    }

    // Only a code shaped like Zoho's (INVALID_DATA) becomes part of the public ErrorId; any other stays in the details.
    // The texts are bounded where they are redacted (SecretRedactor), so that no cut leaves part of a secret.
    private const int MaxCodeLength = 64;

    private static ZcrmException Create(string code, string message, int status, string request, JsonElement? details)
    {
        var map = Details(details);
        // What Zoho put in details says which parameter, or why (CANNOT_PROCESS: a sync in progress …): part of the message.
        if (map is { Count: > 0 })
            message += " (" + string.Join("; ", map.Select(d => $"{d.Key}: {d.Value}")) + ")";
        if (!IsZohoCode(code))
        {
            (map ??= new(StringComparer.Ordinal))["code"] = code;
            code = CodeForStatus(status);
        }
        if (code == ZohoCodes.OAuthScopeMismatch)
            message += $" This call needs the scopes {ZohoCodes.ScopesFor(request)}.";
        return new ZcrmException(code, KindFor(code, status), message, status, request, map);
    }

    private static bool IsZohoCode(string code) =>
        code.Length <= MaxCodeLength && code.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.');

    internal static string CodeForStatus(int status) => status switch
    {
        < 300 => ZcrmErrorCodes.InvalidResponse,   // a 200 that reports an error without a usable code
        429 => ZohoCodes.TooManyRequests,
        >= 500 => ZohoCodes.InternalError,
        _ => ZcrmErrorCodes.HttpError,
    };

    internal static ZcrmErrorKind KindFor(string code, int status) => ZohoCodes.Find(code)?.Kind ?? code switch
    {
        ZcrmErrorCodes.InvalidResponse => ZcrmErrorKind.InvalidResponse,
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

    private const int MaxDetails = 32;

    private static Dictionary<string, string>? Details(JsonElement? details)
    {
        if (details is not { ValueKind: JsonValueKind.Object } obj) return null;
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var p in obj.EnumerateObject().Take(MaxDetails))
            map[p.Name] = p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString()! : p.Value.GetRawText();
        return map;
    }
}
