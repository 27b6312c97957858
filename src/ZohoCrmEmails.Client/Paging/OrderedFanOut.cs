namespace ZohoCrmEmails.Paging;

/// <summary>An item produced for an input, or the error that ended that input's work.</summary>
public readonly record struct FanOutResult<TIn, TOut>(TIn Input, TOut? Item, Exception? Error)
{
    public bool IsError => Error is not null;
}

/// <summary>
/// Works on up to <c>throttle</c> inputs at once while the caller keeps adding more, and hands results back on the
/// caller's thread in input order: each input's items together and in their own order.
/// <para>
/// Each input's work is a lazy sequence of pages. Inputs behind the head prefetch a few pages; the head fetches
/// its next page only when the caller has taken everything before it, so a caller that stops early (Select-Object
/// -First) makes no request beyond the page it stopped in. At most <c>throttle</c> inputs are held, each with at most
/// its prefetch of pages, so memory is bounded whatever the input count or record size.
/// </para>
/// </summary>
public sealed class OrderedFanOut<TIn, TOut> : IDisposable
{
    private readonly Func<TIn, SemaphoreSlim, CancellationToken, IAsyncEnumerable<IReadOnlyList<TOut>>> _work;
    private readonly Queue<Job> _jobs = new();
    private readonly CancellationTokenSource _cts;
    private readonly SemaphoreSlim _requestGate;
    private readonly int _prefetchPages;
    private long _itemsRead;
    private long _recordsCompleted;
    private long _recordsAdded;
    private bool _disposed;
    private static readonly TimeSpan StopWait = TimeSpan.FromSeconds(10);

    /// <param name="throttle">Inputs worked on at once, and requests on the wire at once (the work gets a gate of that size).</param>
    /// <param name="work">The pages for one input; it must take the gate around each request it makes.</param>
    /// <param name="cancellationToken">Stops all work; a stop cancels requests in flight.</param>
    /// <param name="prefetchPages">Pages an input behind the head may fetch before the caller reaches it.</param>
    public OrderedFanOut(int throttle, Func<TIn, SemaphoreSlim, CancellationToken, IAsyncEnumerable<IReadOnlyList<TOut>>> work,
        CancellationToken cancellationToken, int prefetchPages = 5)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(throttle, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(prefetchPages, 1);
        Throttle = throttle;
        _work = work;
        _prefetchPages = prefetchPages;
        _requestGate = new SemaphoreSlim(throttle, throttle);
        _cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
    }

    public int Throttle { get; }
    public long ItemsRead => Interlocked.Read(ref _itemsRead);
    public long RecordsCompleted => Interlocked.Read(ref _recordsCompleted);
    public long RecordsAdded => Interlocked.Read(ref _recordsAdded);
    /// <summary>Inputs started and not yet fully handed back; never more than <see cref="Throttle"/> after <see cref="Add"/> returns.</summary>
    public int Held => _jobs.Count;

    /// <summary>
    /// Starts work on <paramref name="input"/> and returns what can be handed back now. It blocks (handing back the
    /// head's items as they arrive) only while more than <see cref="Throttle"/> inputs are held.
    /// </summary>
    public IEnumerable<FanOutResult<TIn, TOut>> Add(TIn input)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var job = new Job(input, _jobs.Count == 0 ? 1 : _prefetchPages);
        _jobs.Enqueue(job);
        Interlocked.Increment(ref _recordsAdded);
        job.Start(_work, _requestGate, _cts.Token);
        return Drain(waitForAll: false);
    }

    /// <summary>Hands back everything still held, waiting for it, in input order.</summary>
    public IEnumerable<FanOutResult<TIn, TOut>> Complete() => Drain(waitForAll: true);

    private IEnumerable<FanOutResult<TIn, TOut>> Drain(bool waitForAll)
    {
        while (_jobs.TryPeek(out var head))
        {
            var block = waitForAll || _jobs.Count > Throttle;
            var taken = head.Take(block, _cts.Token);
            if (taken.Page is { } page)
            {
                foreach (var item in page)
                {
                    _cts.Token.ThrowIfCancellationRequested();   // a stop ends the output too, not just the requests
                    Interlocked.Increment(ref _itemsRead);
                    yield return new FanOutResult<TIn, TOut>(head.Input, item, null);
                }
                continue;
            }
            if (!taken.Done)
                yield break;   // the head is still fetching and nothing forces a wait
            _jobs.Dequeue();
            Interlocked.Increment(ref _recordsCompleted);
            if (head.Error is { } error)
                yield return new FanOutResult<TIn, TOut>(head.Input, default, error);
        }
    }

    /// <summary>
    /// Cancels all work in flight and waits for it to stop (a cancelled request ends at once), so that when this
    /// returns no request is running or can start, and nothing is left holding the connection.
    /// </summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _cts.Cancel();
        foreach (var job in _jobs)
            job.Stopped.Wait(StopWait);   // jobs catch their own failures; the wait only bounds a stuck socket
        _jobs.Clear();
        _cts.Dispose();
    }

    private sealed class Job(TIn input, int initialCredits)
    {
        private readonly object _lock = new();
        private readonly Queue<IReadOnlyList<TOut>> _pages = new();
        private readonly SemaphoreSlim _credits = new(initialCredits);
        private readonly SemaphoreSlim _changed = new(0);
        private int _outstanding = initialCredits;   // credits granted that have not yet become a page or the end
        private bool _done;

        public TIn Input { get; } = input;
        public Exception? Error { get; private set; }

        public Task Stopped { get; private set; } = Task.CompletedTask;

        public void Start(Func<TIn, SemaphoreSlim, CancellationToken, IAsyncEnumerable<IReadOnlyList<TOut>>> work, SemaphoreSlim gate, CancellationToken ct) =>
            Stopped = Task.Run(() => RunAsync(work, gate, ct), CancellationToken.None);

        private async Task RunAsync(Func<TIn, SemaphoreSlim, CancellationToken, IAsyncEnumerable<IReadOnlyList<TOut>>> work, SemaphoreSlim gate, CancellationToken ct)
        {
            Exception? error = null;
            try
            {
                await using var pages = work(Input, gate, ct).GetAsyncEnumerator(ct);
                while (true)
                {
                    await _credits.WaitAsync(ct).ConfigureAwait(false);
                    if (!await pages.MoveNextAsync().ConfigureAwait(false))
                        break;
                    lock (_lock)
                    {
                        _pages.Enqueue(pages.Current);
                        _outstanding--;
                    }
                    _changed.Release();
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                // Stopped: the consumer is gone or going; nothing to report.
            }
            catch (Exception ex)
            {
                error = ex;
            }
            lock (_lock)
            {
                Error = error;
                _done = true;
            }
            _changed.Release();
        }

        /// <summary>A page if one is buffered; else asks for the next page and, if <paramref name="block"/>, waits for it.</summary>
        public (IReadOnlyList<TOut>? Page, bool Done) Take(bool block, CancellationToken ct)
        {
            while (true)
            {
                lock (_lock)
                {
                    if (_pages.TryDequeue(out var page))
                        return (page, false);
                    if (_done)
                        return (null, true);
                    if (_outstanding == 0)
                    {
                        _outstanding++;
                        _credits.Release();
                    }
                }
                if (!block)
                    return (null, false);
                _changed.Wait(ct);
            }
        }
    }
}
