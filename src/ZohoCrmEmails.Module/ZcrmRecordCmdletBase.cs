using System.Diagnostics;
using System.Management.Automation;
using ZohoCrmEmails.Paging;

namespace ZohoCrmEmails.Module;

/// <summary>
/// The data cmdlets' shared pipeline: records are worked on -ThrottleLimit at a time while input keeps arriving,
/// results come out in input order as soon as they can, a failed record is a non-terminating error, and progress is
/// shown when there is more than one record.
/// </summary>
public abstract class ZcrmRecordCmdletBase<TOut> : ZcrmCmdletBase
{
    private OrderedFanOut<RecordRequest, TOut>? _fanOut;
    private ZcrmConnection? _connection;
    private ProgressRecord? _progress;
    private bool _showProgress;
    private long _lastProgressTicks;
    private int _knownTotal;

    // Empty strings are let through so that they get the specific Zcrm.InvalidModule / Zcrm.InvalidRecordId.
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("ModuleApiName")]
    [AllowEmptyString]
    [ArgumentCompleter(typeof(ModuleNameCompleter))]
    public string Module { get; set; } = "";

    [Parameter(Mandatory = true, Position = 1, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("Id")]
    [AllowEmptyString]
    public string[] RecordId { get; set; } = [];

    [Parameter]
    [ValidateNotNull]
    public ZcrmConnection? Connection { get; set; }

    [Parameter]
    [ValidateRange(1, 25)]
    public int ThrottleLimit { get; set; } = 4;

    protected abstract string Activity { get; }

    protected abstract Func<RecordRequest, SemaphoreSlim, CancellationToken, IAsyncEnumerable<IReadOnlyList<TOut>>> CreateWork(ZcrmConnection connection);

    /// <summary>The work items of the current pipeline input: one per record id.</summary>
    protected virtual IEnumerable<RecordRequest> CurrentRequests() => RecordId.Select(id => new RecordRequest(Module, id));

    protected virtual void Validate(RecordRequest request) => request.Validate();

    protected virtual object Emit(TOut item) => item!;

    protected override void BeginProcessing()
    {
        base.BeginProcessing();
        _connection = ResolveConnection(Connection);
        _fanOut = new OrderedFanOut<RecordRequest, TOut>(ThrottleLimit, CreateWork(_connection), CancelToken);
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
                Validate(request);
            }
            catch (ZcrmException ex)
            {
                ReportError(ex, request.RecordId);
                continue;
            }
            WriteResults(_fanOut!.Add(request));
        }
    }

    protected override void EndProcessing()
    {
        WriteResults(_fanOut!.Complete());
        FlushTrace();
        if (_progress is not null)
        {
            _progress.RecordType = ProgressRecordType.Completed;
            WriteProgress(_progress);
        }
    }

    private void WriteResults(IEnumerable<FanOutResult<RecordRequest, TOut>> results)
    {
        foreach (var result in Stoppable(results))
        {
            FlushTrace();
            if (result.Error is { } error) ReportError(error, result.Input.RecordId);
            else WriteObject(Emit(result.Item!));
            ReportProgress();
        }
        FlushTrace();
        ReportProgress();
    }

    private void ReportProgress()
    {
        var fanOut = _fanOut!;
        if (!_showProgress || fanOut.RecordsAdded < 2) return;
        // At most a few updates a second: progress must cost nothing per e-mail.
        var now = Stopwatch.GetTimestamp();
        if (_progress is not null && Stopwatch.GetElapsedTime(_lastProgressTicks, now) < TimeSpan.FromMilliseconds(200)) return;
        _lastProgressTicks = now;
        _progress ??= new ProgressRecord(0x5A43, Activity, "Starting");
        var done = fanOut.RecordsCompleted;
        var records = _knownTotal > 0 ? $"{done} of {_knownTotal} records" : $"{done} records";
        _progress.StatusDescription = $"{records}, {fanOut.ItemsRead} read, {_connection!.RequestsSent} requests";
        _progress.PercentComplete = _knownTotal > 0 ? (int)Math.Min(100, done * 100 / _knownTotal) : -1;
        WriteProgress(_progress);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) _fanOut?.Dispose();   // cancels work in flight; EndProcessing does not run after a stop
        base.Dispose(disposing);
    }
}
