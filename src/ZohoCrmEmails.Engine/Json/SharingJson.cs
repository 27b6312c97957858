using System.Text.Json;
using ZohoCrmEmails.Models;
using static ZohoCrmEmails.Engine.Json.ZohoJsonReader;

namespace ZohoCrmEmails.Engine.Json;

/// <summary>
/// The sharing details of a record, read in one pass like the e-mails: "__emails_sharing_details" is an array in
/// Zoho's schema and SDKs and an object on its documentation page; both are read. Fields it does not name are kept in
/// AdditionalFields. A null where an entry or a user belongs is kept as null, for the parser's caller to refuse.
/// </summary>
internal static class SharingJson
{
    /// <summary>The entries; null when the body has no "__emails_sharing_details", or it is null.</summary>
    public static List<ZcrmEmailSharing?>? Read(ReadOnlySpan<byte> json, Utf8StringPool pool)
    {
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 64 });
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            throw new JsonException("The body is not a JSON object.");
        List<ZcrmEmailSharing?>? entries = null;
        while (NextProperty(ref reader))
        {
            var name = Name(ref reader);
            reader.Read();
            if (name.SequenceEqual("__emails_sharing_details"u8)) entries = Entries(ref reader, json, pool);
            else reader.Skip();
        }
        if (reader.Read())
            throw new JsonException("The body goes on after its JSON object.");
        return entries;
    }

    private static List<ZcrmEmailSharing?>? Entries(ref Utf8JsonReader reader, ReadOnlySpan<byte> json, Utf8StringPool pool)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.Null:
                return null;
            case JsonTokenType.StartObject:
                return [Entry(ref reader, json, pool)];
            default:
                Expect(ref reader, JsonTokenType.StartArray, "__emails_sharing_details");
                var list = new List<ZcrmEmailSharing?>();
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                    list.Add(Entry(ref reader, json, pool));
                return list;
        }
    }

    private static ZcrmEmailSharing? Entry(ref Utf8JsonReader reader, ReadOnlySpan<byte> json, Utf8StringPool pool) =>
        Object<ZcrmEmailSharing>(ref reader, json, pool, "a sharing entry", static (s, scoped name, ref r, json, pool) =>
        {
            if (name.SequenceEqual("available_types"u8)) s.AvailableTypes = Strings(ref r, json, pool)!;
            else if (name.SequenceEqual("share_from_users"u8))
                s.ShareFromUsers = r.TokenType == JsonTokenType.Null ? null! : Objects<ZcrmSharedUser>(ref r, json, pool, "share_from_users", "a user", static (u, scoped name, ref r, json, pool) =>
                {
                    if (name.SequenceEqual("id"u8)) u.Id = Text(ref r, json, pool);
                    else if (name.SequenceEqual("name"u8)) u.Name = Text(ref r, json, pool);
                    else if (name.SequenceEqual("_type"u8)) u.Type = Text(ref r, json, pool);
                    else u.AdditionalFields = Keep(u.AdditionalFields, name, ref r);
                });
            else s.AdditionalFields = Keep(s.AdditionalFields, name, ref r);
        });

    // Null (made empty by the caller), or a list of strings; a null item is kept for the caller to refuse.
    private static ZcrmList<string>? Strings(ref Utf8JsonReader reader, ReadOnlySpan<byte> json, Utf8StringPool pool)
    {
        if (reader.TokenType == JsonTokenType.Null) return null;
        Expect(ref reader, JsonTokenType.StartArray, "available_types");
        var list = new ZcrmList<string>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            list.Add(Text(ref reader, json, pool)!);
        return list;
    }
}
