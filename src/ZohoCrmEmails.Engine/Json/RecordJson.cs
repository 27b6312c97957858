using System.Globalization;
using System.Text.Json;
using ZohoCrmEmails.Models;

namespace ZohoCrmEmails.Engine.Json;

/// <summary>Paging information of a page of records (Records API and COQL).</summary>
public sealed class ZcrmRecordPageInfo
{
    public bool MoreRecords { get; set; }
    public string? NextPageToken { get; set; }
}

/// <summary>
/// Reads Zoho's records envelope in one pass: {"data":[{record}], "info":{…}}. A record's fields have no fixed schema:
/// id (a string, or a number kept as its digits) and Modified_Time are read as such; every other value is kept as text,
/// a number, a flag, a time (fields named …_Time), or an object or list as a JsonElement.
/// </summary>
internal static class RecordJson
{
    public sealed class Envelope
    {
        public List<ZcrmRecord?>? Data { get; set; }
        public ZcrmRecordPageInfo? Info { get; set; }
    }

    public static Envelope Read(ReadOnlySpan<byte> json, string module)
    {
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 64 });
        reader.Read();
        ZohoJsonReader.Expect(ref reader, JsonTokenType.StartObject, "the body");
        var envelope = new Envelope();
        while (ZohoJsonReader.NextProperty(ref reader))
        {
            var name = ZohoJsonReader.Name(ref reader);
            reader.Read();
            if (name.SequenceEqual("data"u8))
            {
                if (reader.TokenType == JsonTokenType.Null) continue;
                ZohoJsonReader.Expect(ref reader, JsonTokenType.StartArray, "data");
                envelope.Data = [];
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                    envelope.Data.Add(reader.TokenType == JsonTokenType.Null ? null : Record(ref reader, module));
            }
            else if (name.SequenceEqual("info"u8) && reader.TokenType == JsonTokenType.StartObject)
            {
                envelope.Info = Info(ref reader);
            }
            else
            {
                reader.Skip();
            }
        }
        return envelope;
    }

    private static ZcrmRecord Record(ref Utf8JsonReader reader, string module)
    {
        ZohoJsonReader.Expect(ref reader, JsonTokenType.StartObject, "a record");
        var record = new ZcrmRecord { Module = module };
        var fields = new ZcrmRecordFields();
        while (ZohoJsonReader.NextProperty(ref reader))
        {
            var name = reader.GetString()!;
            reader.Read();
            switch (name)
            {
                case "id":
                    record.Id = ZohoJsonReader.Text(ref reader) ?? "";
                    break;
                case "Modified_Time":
                    record.ModifiedTime = ZohoJsonReader.Time(ref reader);
                    break;
                default:
                    fields[name] = Value(ref reader, name);
                    break;
            }
        }
        record.Fields = fields;
        return record;
    }

    private static object? Value(ref Utf8JsonReader reader, string name)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.Null:
                return null;
            case JsonTokenType.True:
                return true;
            case JsonTokenType.False:
                return false;
            case JsonTokenType.Number:
                if (reader.TryGetInt64(out var whole)) return whole;
                if (reader.TryGetDecimal(out var number)) return number;
                return reader.GetDouble();
            case JsonTokenType.String:
                var text = reader.GetString()!;
                return name.EndsWith("_Time", StringComparison.Ordinal)
                       && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var time)
                    ? time
                    : text;
            default:
                // An object or list (a lookup, a multi-select), kept whole; it prints as its JSON.
                return JsonElement.ParseValue(ref reader);
        }
    }

    private static ZcrmRecordPageInfo Info(ref Utf8JsonReader reader)
    {
        var info = new ZcrmRecordPageInfo();
        while (ZohoJsonReader.NextProperty(ref reader))
        {
            var name = ZohoJsonReader.Name(ref reader);
            reader.Read();
            if (name.SequenceEqual("more_records"u8)) info.MoreRecords = ZohoJsonReader.Bool(ref reader);
            else if (name.SequenceEqual("next_page_token"u8)) info.NextPageToken = ZohoJsonReader.Text(ref reader);
            else reader.Skip();
        }
        return info;
    }
}
