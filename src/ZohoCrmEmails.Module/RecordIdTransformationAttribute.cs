using System.Collections;
using System.Globalization;
using System.Management.Automation;
using ZohoCrmEmails.Engine;

namespace ZohoCrmEmails.Module;

/// <summary>
/// A record id as a cmdlet bound it: the id (digits, or text the engine will refuse with its own error), or, for a
/// piped object that has none, why not, so that the error names what the object lacks rather than its text.
/// </summary>
public sealed class RecordIdArgument
{
    private RecordIdArgument(string id, ZcrmException? missing)
    {
        Id = id;
        Missing = missing;
    }

    /// <summary>The id as given ("" when <see cref="Missing"/>), Zoho's export form "zcrm_…" made digits.</summary>
    public string Id { get; }
    /// <summary>Why a piped object gave no id; null when it gave one.</summary>
    public ZcrmException? Missing { get; }

    public static RecordIdArgument Of(string id) => new(InputValidator.NormalizeRecordId(id), null);

    internal static RecordIdArgument None(string properties) => new("", new ZcrmException(ZcrmErrorCodes.InvalidRecordId, ZcrmErrorKind.InvalidArgument,
        "The piped object has no record id: give it an Id, RecordId or 'Record Id' property (Zoho's export column), " +
        $"or pass -RecordId. Its properties: {properties}."));

    public override string ToString() => Id;
}

/// <summary>
/// Record ids as users have them: digits, numbers, Zoho's export form "zcrm_4150868000001234001", or a piped object
/// (an Import-Csv row, an e-mail, a record) with an Id, RecordId or "Record Id" property (the column Zoho's export
/// names), each as a <see cref="RecordIdArgument"/>.
/// </summary>
public sealed class RecordIdTransformationAttribute : ArgumentTransformationAttribute
{
    /// <summary>Property names a record id is taken from, in order: Zoho's export column last.</summary>
    internal static readonly string[] IdProperties = ["RecordId", "Id", "Record Id"];

    public override object? Transform(EngineIntrinsics engineIntrinsics, object? inputData) => inputData switch
    {
        null => null,
        RecordIdArgument or RecordIdArgument[] => inputData,
        string s => RecordIdArgument.Of(s),
        IList list when inputData is not PSObject => list.Cast<object?>().Select(One).OfType<RecordIdArgument>().ToArray(),
        _ => One(inputData),
    };

    private static RecordIdArgument? One(object? value)
    {
        var inner = value is PSObject pso ? pso.BaseObject : value;
        switch (inner)
        {
            case null:
                return null;
            case RecordIdArgument argument:
                return argument;
            case string s:
                return RecordIdArgument.Of(s);
            case long or int or short or ulong or uint or ushort or decimal:
                return RecordIdArgument.Of(Convert.ToString(inner, CultureInfo.InvariantCulture)!);
        }
        var wrapped = PSObject.AsPSObject(value);
        foreach (var name in IdProperties)
            if (wrapped.Properties[name]?.Value is { } id)
                return One(id);
        // An object of no other kind is its text (a [uint64], say); a row or record without an id property is not.
        if (inner is IFormattable formattable) return RecordIdArgument.Of(formattable.ToString(null, CultureInfo.InvariantCulture));
        var names = wrapped.Properties.Select(p => p.Name.Length <= 40 ? p.Name : p.Name[..40] + "…").Take(8).ToList();
        return RecordIdArgument.None(names.Count == 0 ? "(no properties)" : string.Join(", ", names));
    }
}
