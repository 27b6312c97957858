using System.Text.Json;
using System.Text.Json.Serialization;

namespace ZohoCrmEmails.Models;

public sealed class ZcrmSharedUser
{
    [JsonPropertyName("id"), JsonConverter(typeof(LenientStringConverter))] public string? Id { get; set; }
    [JsonPropertyName("name"), JsonConverter(typeof(LenientStringConverter))] public string? Name { get; set; }
    [JsonPropertyName("_type"), JsonConverter(typeof(LenientStringConverter))] public string? Type { get; set; }
    [JsonExtensionData] public ZcrmFields? AdditionalFields { get; set; }
    public override string ToString() => $"{Name} ({Type})";
}
