namespace ZohoCrmEmails.Models;

/// <summary>
/// The fields Zoho sent that the model does not name, kept with their JSON. Prints as compact JSON, so that Export-Csv
/// and string conversion give {"x_sim_extra":{"index":3}} rather than a type name.
/// </summary>
public sealed class ZcrmFields : Dictionary<string, System.Text.Json.JsonElement>
{
    public ZcrmFields() : base(StringComparer.Ordinal) { }

    public override string ToString()
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new System.Text.Json.Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            foreach (var (name, value) in this)
            {
                writer.WritePropertyName(name);
                value.WriteTo(writer);
            }
            writer.WriteEndObject();
        }
        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
