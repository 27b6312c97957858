using System.Management.Automation;
using ZohoCrmEmails.Engine;
using ZohoCrmEmails.Engine.FanOut;
using ZohoCrmEmails.Engine.Paging;

namespace ZohoCrmEmails.Module;

/// <summary>
/// The data cmdlets' shared pipeline: records are worked on several at a time (-ThrottleLimit) while input keeps arriving,
/// results come out in input order as soon as they can, a failed record is a non-terminating error, and progress is
/// shown when there is more than one record.
/// </summary>
public abstract class ZcrmRecordCmdletBase<TOut> : ZcrmDataCmdletBase
{
    private OrderedFanOut<RecordRequest, TOut>? _fanOut;
    private ZcrmClient? _client;
    private bool _showProgress;
    private int _knownTotal;

    // Empty strings are let through so that they get the specific Zcrm.InvalidModule / Zcrm.InvalidRecordId.
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("ModuleApiName")]
    [AllowEmptyString]
    [ArgumentCompleter(typeof(ModuleNameCompleter))]
    public string Module { get; set; } = "";

    [Parameter(Mandatory = true, Position = 1, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("Id", "Record Id")]
    [AllowEmptyString]
    [RecordIdTransformation]
    public RecordIdArgument[] RecordId { get; set; } = [];

    protected abstract PageSource<RecordRequest, TOut> CreateSource(ZcrmClient client, ZcrmCallContext context);

    /// <summary>The record ids of the current pipeline input, each after its error when a piped object had none.</summary>
    protected IEnumerable<string> CurrentRecordIds()
    {
        foreach (var argument in RecordId)
        {
            if (argument.Missing is { } missing) ReportError(missing, null, Module);
            else yield return argument.Id;
        }
    }

    /// <summary>The work items of the current pipeline input: one per record id.</summary>
    protected virtual IEnumerable<RecordRequest> CurrentRequests() => CurrentRecordIds().Select(id => new RecordRequest(Module, id));

    /// <summary>A rule of this cmdlet's parameters the engine does not know; throws ZcrmException.</summary>
    protected virtual void CheckParameters(RecordRequest request) { }

    /// <summary>What an error of this request names as its TargetObject.</summary>
    protected virtual object ErrorTarget(RecordRequest request) => request.RecordId;

    protected virtual object Output(TOut item) => item!;

    protected override void BeginProcessing()
    {
        (_client, var context) = Open();
        _fanOut = new OrderedFanOut<RecordRequest, TOut>(Throttle, CreateSource(_client, context), CancelToken);
        _showProgress = GetVariableValue("ProgressPreference") is not (ActionPreference.SilentlyContinue or ActionPreference.Ignore);
    }

    protected override void ProcessRecord()
    {
        var requests = CurrentRequests().ToList();
        if (!MyInvocation.ExpectingInput) _knownTotal = requests.Count;
        foreach (var request in requests)
        {
            try
            {
                CheckParameters(request);
            }
            catch (ZcrmException ex)
            {
                ReportError(ex, ErrorTarget(request), ErrorRecords.Describe(request));
                continue;
            }
            WriteResults(_fanOut!.Add(request));
        }
    }

    protected override void EndProcessing()
    {
        WriteResults(_fanOut!.Complete());
        CompleteProgress();
    }

    private void WriteResults(IEnumerable<FanOutResult<RecordRequest, TOut>> results) =>
        Drain(results, ErrorTarget, ErrorRecords.Describe, (_, item) => WriteObject(Output(item)));

    // Shown from the second record on: one record's listing needs no bar.
    protected override (string Status, int Percent)? ProgressStatus()
    {
        var fanOut = _fanOut!;
        if (!_showProgress || fanOut.InputsAdded < 2) return null;
        var done = fanOut.InputsCompleted;
        var records = _knownTotal > 0 ? $"{done} of {_knownTotal} records" : $"{done} records";
        return ($"{records}, {fanOut.ItemsRead} read, {_client!.RequestsSent} requests",
            _knownTotal > 0 ? (int)Math.Min(100, done * 100 / _knownTotal) : -1);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) _fanOut?.Dispose();   // cancels work in flight; EndProcessing does not run after a stop
        base.Dispose(disposing);
    }
}
