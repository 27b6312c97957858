using System.Diagnostics;
using System.Management.Automation;
using ZohoCrmEmails.Engine;
using ZohoCrmEmails.Engine.FanOut;

namespace ZohoCrmEmails.Module;

/// <summary>
/// What the cmdlets that read records share: -Connection and -ThrottleLimit, what they open, the one writer of their
/// results (in input order, errors as non-terminating ErrorRecords, a stop honoured) and their progress bar.
/// </summary>
public abstract class ZcrmDataCmdletBase : ZcrmCmdletBase
{
    // Each invocation's progress bar has its own id, so two data cmdlets in one pipeline do not overwrite each other's;
    // they start from "ZC" in ASCII to stay clear of the small ids scripts use.
    private const int FirstProgressId = 0x5A43;
    private static int _nextProgressId = FirstProgressId;
    private static readonly TimeSpan ProgressInterval = TimeSpan.FromMilliseconds(200);
    private readonly int _progressId = Interlocked.Increment(ref _nextProgressId);
    private ProgressRecord? _progress;
    private long _lastProgressTicks;

    [Parameter]
    [ValidateNotNull]
    public ZcrmConnection? Connection { get; set; }

    /// <summary>
    /// The most requests this command has on the wire at once, across records and within one (detail reads,
    /// downloads); also how many records (or e-mails) it works on at once. Unset: the connection's own limit
    /// (Connect-Zcrm -MaxConcurrentRequests, lowered after a 429), so defaults run as fast as Zoho allows.
    /// </summary>
    [Parameter]
    [ValidateRange(1, 25)]
    public int ThrottleLimit { get; set; }

    /// <summary>Inputs worked on at once: -ThrottleLimit, else the connection's ceiling. Set by <see cref="Open"/>.</summary>
    protected int Throttle { get; private set; }

    /// <summary>The connection to use (terminating Zcrm.NotConnected without one) and this invocation's call context.</summary>
    protected (ZcrmClient Client, ZcrmCallContext Context) Open()
    {
        var client = ResolveConnection(Connection);
        int? cap = MyInvocation.BoundParameters.ContainsKey(nameof(ThrottleLimit)) ? ThrottleLimit : null;
        Throttle = cap ?? client.MaxConcurrentRequests;
        return (client, CreateCallContext(cap));
    }

    protected abstract string Activity { get; }

    /// <summary>
    /// What the progress bar says now (percent -1 when unknown); null while there is nothing to show. Asked only when
    /// an update is due, and until the bar is first shown: the null case must be cheap.
    /// </summary>
    protected abstract (string Status, int Percent)? ProgressStatus();

    /// <summary>True once the progress bar was shown.</summary>
    protected bool ProgressShown => _progress is not null;

    /// <summary>
    /// Writes the fan-out's results on the pipeline thread, in input order: each item to <paramref name="onItem"/>, a
    /// failed input as its non-terminating error (TargetObject <paramref name="errorTarget"/>, its message naming
    /// <paramref name="describe"/>), a failed item of an input as its own error naming that item, the trace flushed and the progress updated in between, also while the head is
    /// still pending. A stop ends it at once.
    /// </summary>
    /// <param name="failed">Told of each failure reported (of the input, or of an item of it), after its error.</param>
    protected void Drain<TIn, TOut>(IEnumerable<FanOutResult<TIn, TOut>> results, Func<TIn, object> errorTarget, Func<TIn, string> describe,
        Action<TIn, TOut> onItem, Action<TIn>? failed = null)
    {
        foreach (var result in Stoppable(results))
        {
            FlushTrace();
            if (result.IsPending) { }   // still waiting: only the progress below
            else if (result.Error is { } error)
            {
                // An item's own failure names that item (an e-mail of the record); the input's names the input.
                var (target, item) = result.Subject is { } subject ? ErrorRecords.Subject(subject) : (errorTarget(result.Input), describe(result.Input));
                ReportError(error, target, item);
                failed?.Invoke(result.Input);
            }
            else onItem(result.Input, result.Item!);
            ShowProgress(false);
        }
        FlushTrace();
        ShowProgress(false);
    }

    /// <summary>At most a few updates a second, so that progress costs nothing per e-mail; <paramref name="force"/>: now.</summary>
    protected void ShowProgress(bool force)
    {
        // The interval first: the status text is built only when an update is due, not for every e-mail.
        var now = Stopwatch.GetTimestamp();
        if (!force && _progress is not null && Stopwatch.GetElapsedTime(_lastProgressTicks, now) < ProgressInterval) return;
        if (ProgressStatus() is not var (status, percent)) return;
        _lastProgressTicks = now;
        _progress ??= new ProgressRecord(_progressId, Activity, "Starting");
        _progress.StatusDescription = status;
        _progress.PercentComplete = percent;
        WriteProgress(_progress);
    }

    /// <summary>Brings the progress bar up to date and closes it, if it was shown.</summary>
    protected void CompleteProgress()
    {
        if (_progress is null) return;
        ShowProgress(true);
        _progress.RecordType = ProgressRecordType.Completed;
        WriteProgress(_progress);
    }
}
