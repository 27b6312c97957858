using System.Text.Json;
using System.Text.Json.Serialization;
using ZohoCrmEmails.Models;

namespace ZohoCrmEmails.Json;

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

internal sealed class SharingEnvelope : ErrorEnvelope
{
    [JsonPropertyName("__emails_sharing_details"), JsonConverter(typeof(SharingListConverter))]
    public List<ZcrmEmailSharing?>? Sharing { get; set; }
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

/// <summary>The sharing details: an array in the schema and SDKs, an object on the vendor's page.</summary>
internal sealed class SharingListConverter : JsonConverter<List<ZcrmEmailSharing?>?>
{
    public override List<ZcrmEmailSharing?>? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.Null) return null;
        if (reader.TokenType == JsonTokenType.StartObject)
            return new List<ZcrmEmailSharing?> { JsonSerializer.Deserialize(ref reader, ZcrmJsonContext.Default.ZcrmEmailSharing) };
        return new List<ZcrmEmailSharing?>(JsonSerializer.Deserialize(ref reader, ZcrmJsonContext.Default.ListZcrmEmailSharing) ?? []);
    }

    // Only ever read: the module sends no JSON.
    public override void Write(Utf8JsonWriter writer, List<ZcrmEmailSharing?>? value, JsonSerializerOptions options) =>
        throw new NotSupportedException();
}

[JsonSourceGenerationOptions(GenerationMode = JsonSourceGenerationMode.Metadata)]
[JsonSerializable(typeof(SharingEnvelope))]
[JsonSerializable(typeof(ErrorEnvelope))]
[JsonSerializable(typeof(TokenEnvelope))]
[JsonSerializable(typeof(ZcrmEmailSharing))]
[JsonSerializable(typeof(List<ZcrmEmailSharing?>))]
internal sealed partial class ZcrmJsonContext : JsonSerializerContext;
