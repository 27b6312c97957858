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
    private int _knownTotal = -1;

    [Parameter]
    [ValidateNotNull]
    public ZcrmConnection? Connection { get; set; }

    [Parameter]
    [ValidateRange(1, 25)]
    public int ThrottleLimit { get; set; } = 4;

    protected abstract string Activity { get; }

    protected abstract Func<RecordRequest, SemaphoreSlim, CancellationToken, IAsyncEnumerable<IReadOnlyList<TOut>>> CreateWork(ZcrmConnection connection);

    /// <summary>The work items of the current pipeline input.</summary>
    protected abstract IEnumerable<RecordRequest> CurrentRequests();

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
        var total = _knownTotal > 0 ? _knownTotal : -1;
        _progress.StatusDescription = total > 0
            ? $"{done} of {total} records, {fanOut.ItemsRead} read, {_connection!.RequestsSent} requests"
            : $"{done} records, {fanOut.ItemsRead} read, {_connection!.RequestsSent} requests";
        _progress.PercentComplete = total > 0 ? (int)Math.Min(100, done * 100 / total) : -1;
        WriteProgress(_progress);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) _fanOut?.Dispose();   // cancels work in flight; EndProcessing does not run after a stop
        base.Dispose(disposing);
    }
}
