using System.Text.Json;
using System.Text.Json.Serialization;

namespace ZohoCrmEmails.Models;

/// <summary>Whose mailboxes' e-mails can be seen on a record, and which kinds.</summary>
public sealed class ZcrmEmailSharing
{
    [JsonIgnore] public string Module { get; set; } = "";
    [JsonIgnore] public string RecordId { get; set; } = "";
    [JsonPropertyName("available_types")] public ZcrmList<string> AvailableTypes { get; set; } = [];
    [JsonPropertyName("share_from_users")] public ZcrmList<ZcrmSharedUser> ShareFromUsers { get; set; } = [];
    [JsonExtensionData] public ZcrmFields? AdditionalFields { get; set; }
}
