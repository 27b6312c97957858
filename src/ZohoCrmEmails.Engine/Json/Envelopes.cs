using System.Text.Json;
using System.Text.Json.Serialization;

namespace ZohoCrmEmails.Engine.Json;

/// <summary>Paging information of a list page (read by <see cref="EmailJson"/>).</summary>
public sealed class ZcrmPageInfo
{
    public int? PerPage { get; set; }
    public int? Count { get; set; }
    public bool MoreRecords { get; set; }
    public string? NextIndex { get; set; }
}

/// <summary>
/// Zoho's error body: {"code","details","message","status":"error"}. It also comes with HTTP 200, alone or as
/// {"data":[{…"status":"error"}]}, which is why the data envelopes below can hold one too.
/// </summary>
internal class ErrorEnvelope
{
    [JsonPropertyName("code"), JsonConverter(typeof(LenientStringConverter))] public string? Code { get; set; }
    [JsonPropertyName("message"), JsonConverter(typeof(LenientStringConverter))] public string? Message { get; set; }
    [JsonPropertyName("status"), JsonConverter(typeof(LenientStringConverter))] public string? Status { get; set; }
    [JsonPropertyName("details")] public JsonElement? Details { get; set; }
    [JsonPropertyName("data")] public List<ErrorEnvelope?>? Data { get; set; }

    /// <summary>The error this body reports, if it reports one: its own code, or the first error entry of "data".</summary>
    public ErrorEnvelope? ReportedError =>
        !string.IsNullOrWhiteSpace(Code) ? this
        : Data?.FirstOrDefault(d => d is not null && !string.IsNullOrWhiteSpace(d.Code) && string.Equals(d.Status, "error", StringComparison.OrdinalIgnoreCase));
}

internal sealed class TokenEnvelope
{
    [JsonPropertyName("access_token"), JsonConverter(typeof(LenientStringConverter))] public string? AccessToken { get; set; }
    [JsonPropertyName("api_domain"), JsonConverter(typeof(LenientStringConverter))] public string? ApiDomain { get; set; }
    [JsonPropertyName("expires_in"), JsonConverter(typeof(Int64FromStringConverter))] public long? ExpiresIn { get; set; }
    [JsonPropertyName("expires_in_sec"), JsonConverter(typeof(Int64FromStringConverter))] public long? ExpiresInSec { get; set; }
    [JsonPropertyName("error"), JsonConverter(typeof(LenientStringConverter))] public string? Error { get; set; }
    [JsonPropertyName("error_description"), JsonConverter(typeof(LenientStringConverter))] public string? ErrorDescription { get; set; }
}

[JsonSourceGenerationOptions(GenerationMode = JsonSourceGenerationMode.Metadata)]
[JsonSerializable(typeof(ErrorEnvelope))]
[JsonSerializable(typeof(TokenEnvelope))]
internal sealed partial class ZcrmJsonContext : JsonSerializerContext;
