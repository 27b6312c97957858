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

    /// <summary>After parsing: null lists become empty; false when a list holds a null item.</summary>
    internal bool Normalize()
    {
        AvailableTypes ??= [];
        ShareFromUsers ??= [];
        return !AvailableTypes.Contains(null!) && !ShareFromUsers.Contains(null!);
    }
}

public sealed class ZcrmSharedUser
{
    [JsonPropertyName("id"), JsonConverter(typeof(LenientStringConverter))] public string? Id { get; set; }
    [JsonPropertyName("name"), JsonConverter(typeof(LenientStringConverter))] public string? Name { get; set; }
    [JsonPropertyName("_type"), JsonConverter(typeof(LenientStringConverter))] public string? Type { get; set; }
    [JsonExtensionData] public ZcrmFields? AdditionalFields { get; set; }
    public override string ToString() => $"{Name} ({Type})";
}
