using System.Text.Json;
using System.Text.Json.Serialization;

namespace ZohoCrmEmails.Models;

/// <summary>Paging information of a list page.</summary>
public sealed class ZcrmPageInfo
{
    [JsonPropertyName("per_page")] public int? PerPage { get; set; }
    [JsonPropertyName("count")] public int? Count { get; set; }
    [JsonPropertyName("more_records")] public bool MoreRecords { get; set; }
    [JsonPropertyName("next_index"), JsonConverter(typeof(LenientStringConverter))] public string? NextIndex { get; set; }
    [JsonPropertyName("prev_index"), JsonConverter(typeof(LenientStringConverter))] public string? PrevIndex { get; set; }
}

internal sealed class EmailListEnvelope
{
    [JsonPropertyName("Emails")] public List<ZcrmEmail>? Emails { get; set; }
    /// <summary>The v2–v3 root key.</summary>
    [JsonPropertyName("email_related_list")] public List<ZcrmEmail>? LegacyEmails { get; set; }
    [JsonPropertyName("info")] public ZcrmPageInfo? Info { get; set; }
}

internal sealed class SharingEnvelope
{
    [JsonPropertyName("__emails_sharing_details"), JsonConverter(typeof(SharingListConverter))]
    public List<ZcrmEmailSharing>? Sharing { get; set; }
}

internal sealed class ErrorEnvelope
{
    [JsonPropertyName("code"), JsonConverter(typeof(LenientStringConverter))] public string? Code { get; set; }
    [JsonPropertyName("message"), JsonConverter(typeof(LenientStringConverter))] public string? Message { get; set; }
    [JsonPropertyName("status"), JsonConverter(typeof(LenientStringConverter))] public string? Status { get; set; }
    [JsonPropertyName("details")] public JsonElement? Details { get; set; }
}

internal sealed class TokenEnvelope
{
    [JsonPropertyName("access_token")] public string? AccessToken { get; set; }
    [JsonPropertyName("api_domain")] public string? ApiDomain { get; set; }
    [JsonPropertyName("token_type")] public string? TokenType { get; set; }
    [JsonPropertyName("expires_in"), JsonConverter(typeof(Int64FromStringConverter))] public long? ExpiresIn { get; set; }
    [JsonPropertyName("expires_in_sec"), JsonConverter(typeof(Int64FromStringConverter))] public long? ExpiresInSec { get; set; }
    [JsonPropertyName("error"), JsonConverter(typeof(LenientStringConverter))] public string? Error { get; set; }
    [JsonPropertyName("error_description"), JsonConverter(typeof(LenientStringConverter))] public string? ErrorDescription { get; set; }
}

[JsonSourceGenerationOptions(GenerationMode = JsonSourceGenerationMode.Metadata)]
[JsonSerializable(typeof(EmailListEnvelope))]
[JsonSerializable(typeof(SharingEnvelope))]
[JsonSerializable(typeof(ErrorEnvelope))]
[JsonSerializable(typeof(TokenEnvelope))]
[JsonSerializable(typeof(ZcrmEmailAddress))]
[JsonSerializable(typeof(ZcrmList<ZcrmEmailAddress>))]
[JsonSerializable(typeof(ZcrmEmailSharing))]
[JsonSerializable(typeof(List<ZcrmEmailSharing>))]
internal sealed partial class ZcrmJsonContext : JsonSerializerContext;
