using System.Net;
using System.Text.Json;
using ZohoCrmEmails.Models;

namespace ZohoCrmEmails.Http;

/// <summary>Sending with tracing, and turning Zoho's responses into models or <see cref="ZcrmException"/>s.</summary>
internal static class ZcrmResponses
{
    public static async Task<HttpResponseMessage> SendTracedAsync(HttpClient http, HttpRequestMessage request, CancellationToken ct)
    {
        var state = RequestState.Of(request);
        try
        {
            return await http.SendAsync(request, HttpCompletionOption.ResponseContentRead, ct).ConfigureAwait(false);
        }
        catch
        {
            Emit(state, null);
            throw;
        }
    }

    /// <summary>Reports the request's attempts to the caller's trace sink; the last one with what was parsed.</summary>
    public static void Emit(RequestState state, int? itemsRead)
    {
        if (ZcrmTrace.Current is not { } sink) return;
        for (var i = 0; i < state.Attempts.Count; i++)
            sink.OnRequest(i == state.Attempts.Count - 1 ? state.Attempts[i] with { ItemsRead = itemsRead } : state.Attempts[i]);
    }

    public static string? ReadErrorCode(HttpResponseMessage response) => ReadError(response)?.Code;

    private static ErrorEnvelope? ReadError(HttpResponseMessage response)
    {
        try
        {
            var body = response.Content.ReadAsStream();
            return body.Length == 0 ? null : JsonSerializer.Deserialize(body, ZcrmJsonContext.Default.ErrorEnvelope);
        }
        catch (JsonException)
        {
            return null;
        }
        finally
        {
            if (response.Content.ReadAsStream() is { CanSeek: true } s) s.Position = 0;
        }
    }

    /// <summary>The error for a non-success response: Zoho's code when the body has one, else the HTTP status.</summary>
    public static ZcrmException Error(HttpResponseMessage response, string request)
    {
        var status = (int)response.StatusCode;
        var error = ReadError(response);
        var code = string.IsNullOrWhiteSpace(error?.Code) ? CodeForStatus(status) : error!.Code!;
        var message = string.IsNullOrWhiteSpace(error?.Message) ? $"Zoho CRM answered HTTP {status} {response.ReasonPhrase}." : error!.Message!;
        var details = Details(error?.Details);
        if (code == "OAUTH_SCOPE_MISMATCH")
            message += " This call needs the scopes ZohoCRM.modules.READ (or ZohoCRM.modules.<module>.READ) and ZohoCRM.modules.emails.READ.";
        return new ZcrmException(code, ZcrmErrorCodes.KindFor(code, status), message, status, request, details);
    }

    private static string CodeForStatus(int status) => status switch
    {
        429 => "TOO_MANY_REQUESTS",
        >= 500 => "INTERNAL_ERROR",
        _ => ZcrmErrorCodes.HttpError,
    };

    private static Dictionary<string, string>? Details(JsonElement? details)
    {
        if (details is not { ValueKind: JsonValueKind.Object } obj) return null;
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var p in obj.EnumerateObject())
            map[p.Name] = p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString()! : p.Value.GetRawText();
        return map;
    }

    public static T Parse<T>(byte[] body, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type, int status, string request)
    {
        try
        {
            return JsonSerializer.Deserialize(body, type)
                ?? throw new JsonException("The body is the JSON literal null.");
        }
        catch (JsonException ex)
        {
            throw new ZcrmException(ZcrmErrorCodes.InvalidResponse, ZcrmErrorKind.InvalidResponse,
                $"Zoho CRM answered HTTP {status} with a body that could not be read: {ex.Message}", status, request, inner: ex);
        }
    }

    public static long? CreditsRemaining(HttpResponseMessage response) =>
        response.Headers.TryGetValues("X-API-CREDITS-REMAINING", out var values)
        && long.TryParse(values.FirstOrDefault(), System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var credits)
            ? credits : null;

    public static bool IsEmpty(HttpResponseMessage response) =>
        response.StatusCode == HttpStatusCode.NoContent || response.Content.Headers.ContentLength == 0;
}
