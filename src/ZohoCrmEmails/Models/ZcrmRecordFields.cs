using System.Buffers;
using System.Globalization;
using System.Text.Json;

namespace ZohoCrmEmails.Models;

/// <summary>
/// A record's fields by API name, in the order Zoho sent them. Prints as compact JSON, so that Export-Csv and string
/// conversion give {"Deal_Name":"Acme","Amount":12000} rather than a type name.
/// </summary>
public sealed class ZcrmRecordFields : Dictionary<string, object?>
{
    public ZcrmRecordFields() : base(StringComparer.Ordinal) { }

    public override string ToString()
    {
        var buffer = new ArrayBufferWriter<byte>();
        // Text for people and CSV cells, never for HTML: '+' and non-ASCII letters stay as they are.
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            writer.WriteStartObject();
            foreach (var (name, value) in this)
            {
                switch (value)
                {
                    case null: writer.WriteNull(name); break;
                    case bool b: writer.WriteBoolean(name, b); break;
                    case long l: writer.WriteNumber(name, l); break;
                    case decimal d: writer.WriteNumber(name, d); break;
                    case double x: writer.WriteNumber(name, x); break;
                    case DateTimeOffset t: writer.WriteString(name, t.ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture)); break;
                    case JsonElement element:
                        writer.WritePropertyName(name);
                        element.WriteTo(writer);
                        break;
                    default: writer.WriteString(name, Convert.ToString(value, CultureInfo.InvariantCulture)); break;
                }
            }
            writer.WriteEndObject();
        }
        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
