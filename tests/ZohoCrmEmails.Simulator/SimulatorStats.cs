using System.Collections.Concurrent;

namespace ZohoCrmEmails.Simulator;

/// <summary>What the simulator served, so tests can assert request counts and concurrency.</summary>
public sealed class SimulatorStats
{
    private long _token, _list, _detail, _sharing, _download, _records, _count, _coql, _other, _refused;
    private int _inFlight, _peakInFlight;

    public long TokenRequests => Interlocked.Read(ref _token);
    public long ListRequests => Interlocked.Read(ref _list);
    public long DetailRequests => Interlocked.Read(ref _detail);
    public long SharingRequests => Interlocked.Read(ref _sharing);
    public long DownloadRequests => Interlocked.Read(ref _download);
    /// <summary>Records API pages (GET /crm/{v}/{Module}).</summary>
    public long RecordRequests => Interlocked.Read(ref _records);
    public long CountRequests => Interlocked.Read(ref _count);
    public long CoqlRequests => Interlocked.Read(ref _coql);
    public long OtherRequests => Interlocked.Read(ref _other);
    /// <summary>CRM requests answered 429.</summary>
    public long RefusedRequests => Interlocked.Read(ref _refused);
    internal void CountRefused() => Interlocked.Increment(ref _refused);
    public long CrmRequests => ListRequests + DetailRequests + SharingRequests + DownloadRequests + RecordRequests + CountRequests + CoqlRequests + OtherRequests;
    public long TotalRequests => CrmRequests + TokenRequests;
    /// <summary>The most CRM requests being served at once since start or <see cref="ResetPeak"/>.</summary>
    public int PeakInFlight => Volatile.Read(ref _peakInFlight);
    /// <summary>Method and raw target of each request (token and CRM), in arrival order (bounded).</summary>
    public ConcurrentQueue<string> Log { get; } = new();
    private readonly List<(long Count, TaskCompletionSource Reached)> _crmWaiters = [];

    /// <summary>
    /// Completes once <paramref name="count"/> CRM requests have arrived: lets a test act while a request is in flight
    /// without polling. Give it a bound (WaitAsync) so that a request that never comes fails the test instead of hanging it.
    /// </summary>
    public Task WhenCrmRequests(long count)
    {
        lock (_crmWaiters)
        {
            if (CrmRequests >= count) return Task.CompletedTask;
            var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _crmWaiters.Add((count, reached));
            return reached.Task;
        }
    }

    internal void Count(SimRoute route)
    {
        switch (route)
        {
            case SimRoute.Token: Interlocked.Increment(ref _token); break;
            case SimRoute.List: Interlocked.Increment(ref _list); break;
            case SimRoute.Detail: Interlocked.Increment(ref _detail); break;
            case SimRoute.Sharing: Interlocked.Increment(ref _sharing); break;
            case SimRoute.Download: Interlocked.Increment(ref _download); break;
            case SimRoute.Records: Interlocked.Increment(ref _records); break;
            case SimRoute.Count: Interlocked.Increment(ref _count); break;
            case SimRoute.Coql: Interlocked.Increment(ref _coql); break;
            default: Interlocked.Increment(ref _other); break;
        }
        if (route != SimRoute.Token) SignalCrmWaiters();
    }

    private void SignalCrmWaiters()
    {
        lock (_crmWaiters)
        {
            var count = CrmRequests;
            foreach (var waiter in _crmWaiters.Where(w => w.Count <= count).ToList())
            {
                waiter.Reached.TrySetResult();
                _crmWaiters.Remove(waiter);
            }
        }
    }

    internal void Record(string target)
    {
        Log.Enqueue(target);
        while (Log.Count > 10_000 && Log.TryDequeue(out _)) { }
    }

    private int _capHeld;

    /// <summary>Takes one of the org's <paramref name="free"/> slots for a request being served; false when none is free.</summary>
    internal bool TryTakeSlot(int free)
    {
        while (true)
        {
            var held = Volatile.Read(ref _capHeld);
            if (held >= free) return false;
            if (Interlocked.CompareExchange(ref _capHeld, held + 1, held) == held) return true;
        }
    }

    internal void ReleaseSlot() => Interlocked.Decrement(ref _capHeld);

    internal void Enter()
    {
        var now = Interlocked.Increment(ref _inFlight);
        int peak;
        while (now > (peak = Volatile.Read(ref _peakInFlight)) && Interlocked.CompareExchange(ref _peakInFlight, now, peak) != peak) { }
    }

    internal void Leave()
    {
        if (Interlocked.Decrement(ref _inFlight) == 0)
            lock (_crmWaiters) Interlocked.Exchange(ref _idle, null)?.TrySetResult();
    }

    private TaskCompletionSource? _idle;

    /// <summary>
    /// Completes once no CRM request is being served: a client that let a connection go mid-response ends the server's
    /// side of it too. Bound it (WaitAsync) so that a request left hanging fails the test.
    /// </summary>
    public Task WhenIdle()
    {
        lock (_crmWaiters)
        {
            if (Volatile.Read(ref _inFlight) == 0) return Task.CompletedTask;
            return (_idle ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;
        }
    }

    public void ResetPeak() => Interlocked.Exchange(ref _peakInFlight, Volatile.Read(ref _inFlight));

    public void Reset()
    {
        _token = _list = _detail = _sharing = _download = _records = _count = _coql = _other = _refused = 0;
        ResetPeak();
        Log.Clear();
    }

    public object Snapshot() => new
    {
        tokenRequests = TokenRequests,
        listRequests = ListRequests,
        detailRequests = DetailRequests,
        sharingRequests = SharingRequests,
        downloadRequests = DownloadRequests,
        recordRequests = RecordRequests,
        countRequests = CountRequests,
        coqlRequests = CoqlRequests,
        refusedRequests = RefusedRequests,
        crmRequests = CrmRequests,
        totalRequests = TotalRequests,
        peakInFlight = PeakInFlight,
    };
}

internal enum SimRoute { Token, List, Detail, Sharing, Download, Records, Count, Coql, Other }
