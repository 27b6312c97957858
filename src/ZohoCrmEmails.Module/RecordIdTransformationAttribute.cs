using System.Collections;
using System.Globalization;
using System.Management.Automation;
using ZohoCrmEmails.Engine;

namespace ZohoCrmEmails.Module;

/// <summary>
/// Record ids as users have them: digits, numbers, Zoho's export form "zcrm_4150868000001234001", or a piped object
/// (an Import-Csv row, an e-mail) with an Id, RecordId or "Record Id" property (the column Zoho's export names). A
/// piped object without one becomes a marker that <see cref="Missing"/> explains, so that the error names what the
/// object lacks rather than the object's text ("@{Deal Name=…}").
/// </summary>
public sealed class RecordIdTransformationAttribute : ArgumentTransformationAttribute
{
    /// <summary>Property names a record id is taken from, in order: Zoho's export column last.</summary>
    internal static readonly string[] IdProperties = ["RecordId", "Id", "Record Id"];
    // Starts with a control character: never a record id, so it can only be this marker.
    private const string MissingMarker = "\u0001no record id: ";

    public override object? Transform(EngineIntrinsics engineIntrinsics, object? inputData) => inputData switch
    {
        null => null,
        string s => InputValidator.NormalizeRecordId(s),
        IList list when inputData is not PSObject => list.Cast<object?>().Select(One).ToArray(),
        _ => One(inputData),
    };

    private static string? One(object? value)
    {
        var inner = value is PSObject pso ? pso.BaseObject : value;
        switch (inner)
        {
            case null:
                return null;
            case string s:
                return InputValidator.NormalizeRecordId(s);
            case long or int or short or ulong or uint or ushort or decimal:
                return Convert.ToString(inner, CultureInfo.InvariantCulture);
        }
        var wrapped = PSObject.AsPSObject(value);
        foreach (var name in IdProperties)
            if (wrapped.Properties[name]?.Value is { } id)
                return One(id);
        // An object of no other kind is its text (a [uint64], say); a row or record without an id property is not.
        if (inner is IFormattable formattable) return formattable.ToString(null, CultureInfo.InvariantCulture);
        var names = wrapped.Properties.Select(p => p.Name.Length <= 40 ? p.Name : p.Name[..40] + "…").Take(8).ToList();
        return MissingMarker + (names.Count == 0 ? "(no properties)" : string.Join(", ", names));
    }

    /// <summary>The error for a piped object that had no record id, when <paramref name="recordId"/> is its marker.</summary>
    internal static ZcrmException? Missing(string recordId) =>
        recordId.StartsWith(MissingMarker, StringComparison.Ordinal)
            ? new ZcrmException(ZcrmErrorCodes.InvalidRecordId, ZcrmErrorKind.InvalidArgument,
                "The piped object has no record id: give it an Id, RecordId or 'Record Id' property (Zoho's export column), " +
                $"or pass -RecordId. Its properties: {recordId[MissingMarker.Length..]}.")
            : null;
}
