using System.Management.Automation;
using ZohoCrmEmails.Engine;
using ZohoCrmEmails.Engine.FanOut;
using ZohoCrmEmails.Models;

namespace ZohoCrmEmails.Module;

/// <summary>
/// Finds the records of a module: every one, those modified since a time, those a COQL criteria or a custom view
/// selects. Lazy (records are written as pages arrive), complete past Zoho's caps, and ready to pipe into every
/// cmdlet that takes a record.
/// </summary>
[Cmdlet(VerbsCommon.Get, "ZcrmRecord")]
[OutputType(typeof(ZcrmRecord))]
public sealed class GetZcrmRecordCommand : ZcrmDataCmdletBase
{
    private OrderedFanOut<ZcrmRecordQuery, ZcrmRecord>? _fanOut;
    private ZcrmClient? _client;
    private bool _showProgress;

    // Empty strings are let through so that they get the specific Zcrm.InvalidModule.
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("ModuleApiName")]
    [AllowEmptyString]
    [ArgumentCompleter(typeof(ModuleNameCompleter))]
    public string Module { get; set; } = "";

    /// <summary>Only records modified at or after this time (Zoho's If-Modified-Since); none is zero records, not an error.</summary>
    [Parameter]
    public DateTimeOffset? ModifiedSince { get; set; }

    /// <summary>A COQL where clause: Stage = 'Closed Won' and Amount &gt; 10000. Needs the scope ZohoCRM.coql.READ.</summary>
    [Parameter]
    [AllowEmptyString]
    public string? Criteria { get; set; }

    /// <summary>The records a custom view shows (its id, from the view's URL).</summary>
    [Parameter]
    [AllowEmptyString]
    public string? CustomViewId { get; set; }

    /// <summary>Fields to read besides Id and ModifiedTime, by API name; each becomes a property of the output.</summary>
    [Parameter]
    [Alias("Field")]
    [AllowEmptyCollection]
    public string[] Fields { get; set; } = [];

    protected override string Activity => "Finding Zoho CRM records";

    protected override void BeginProcessing()
    {
        (_client, var context) = Open();
        _fanOut = new OrderedFanOut<ZcrmRecordQuery, ZcrmRecord>(Throttle, (query, ct) => _client.GetRecordPages(query, context), CancelToken);
        _showProgress = GetVariableValue("ProgressPreference") is not (ActionPreference.SilentlyContinue or ActionPreference.Ignore);
    }

    protected override void ProcessRecord()
    {
        var query = new ZcrmRecordQuery(Module)
        {
            Fields = Fields,
            ModifiedSince = ModifiedSince,
            Criteria = Criteria,
            CustomViewId = CustomViewId,
        };
        try
        {
            InputValidator.RecordQuery(query);
        }
        catch (ZcrmException ex)
        {
            ReportError(ex, Module, Module);
            return;
        }
        WriteResults(_fanOut!.Add(query));
    }

    protected override void EndProcessing()
    {
        WriteResults(_fanOut!.Complete());
        CompleteProgress();
    }

    private void WriteResults(IEnumerable<FanOutResult<ZcrmRecordQuery, ZcrmRecord>> results) =>
        Drain(results, q => q.Module, q => q.Module, (q, record) => WriteObject(Output(q, record)));

    /// <summary>The record with each field asked for as a property of its own (null when Zoho sent none), in the order asked.</summary>
    internal static PSObject Output(ZcrmRecordQuery query, ZcrmRecord record)
    {
        var output = PSObject.AsPSObject(record);
        foreach (var field in query.Fields.Distinct(StringComparer.OrdinalIgnoreCase))
        {
            if (output.Properties[field] is not null) continue;   // Module, Id, ModifiedTime, Fields
            var value = field.Equals("Modified_Time", StringComparison.OrdinalIgnoreCase) ? record.ModifiedTime
                : record.Fields.TryGetValue(field, out var v) ? v
                : record.Fields.FirstOrDefault(f => f.Key.Equals(field, StringComparison.OrdinalIgnoreCase)).Value;
            output.Properties.Add(new PSNoteProperty(field, value));
        }
        return output;
    }

    protected override (string Status, int Percent)? ProgressStatus() =>
        _showProgress && _fanOut is { ItemsRead: > 0 } fanOut ? ($"{fanOut.ItemsRead} records read, {_client!.RequestsSent} requests", -1) : null;

    protected override void Dispose(bool disposing)
    {
        if (disposing) _fanOut?.Dispose();
        base.Dispose(disposing);
    }
}
