using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;

namespace ZohoCrmEmails.Engine.FanOut;

/// <summary>
/// Works on up to <see cref="Throttle"/> inputs at once while the caller keeps adding more, and hands the results back
/// on the caller's thread in input order: each input's items together and in their own order.
/// <para>
/// Each input is a <see cref="InputJob"/>: a worker task that fetches pages when asked for them and puts them in
/// the job's channel. The caller reads the oldest job (the head) only. Asking is what keeps this lazy and bounded:
/// </para>
/// <list type="bullet">
/// <item>a job added behind the head is asked for <c>prefetchPages</c> pages, so it is ready when its turn comes;</item>
/// <item>a job added as the head is asked for one page; once the caller has taken half of the head's first page, two
/// more, and then one more for every further page the moment it is taken. So a caller that stops early
/// (Select-Object -First 3) makes no request beyond the page it stopped in, and one that reads on keeps two pages on
/// their way: the listing runs at the wire's pace even while the caller is busy with a page.</item>
/// </list>
/// At most <see cref="Throttle"/> jobs are held once <see cref="Add"/>'s results are read, each with a bounded number
/// of pages, so memory is bounded whatever the input count or record size. How many requests are on the wire at
/// once is not decided here but in the HTTP pipeline (ZcrmCallContext and the connection's limit).
/// </summary>
public sealed class OrderedFanOut<TIn, TOut> : IDisposable
{
    private static readonly TimeSpan StopWait = TimeSpan.FromSeconds(10);
    /// <summary>How often a caller that waits for the head gets a pending result (for progress on long downloads).</summary>
    public static readonly TimeSpan PendingInterval = TimeSpan.FromMilliseconds(250);
    private readonly PageSource<TIn, TOut> _source;
    private readonly Queue<InputJob> _jobs = new();
    private readonly CancellationTokenSource _cts;
    private readonly int _prefetchPages;
    private long _itemsRead;
    private long _inputsCompleted;
    private long _inputsAdded;
    private bool _disposed;

    /// <param name="throttle">Inputs worked on at once.</param>
    /// <param name="source">The pages of one input.</param>
    /// <param name="cancellationToken">Stops all work; a stop cancels requests in flight.</param>
    /// <param name="prefetchPages">Pages a job behind the head may fetch before the caller reaches it.</param>
    public OrderedFanOut(int throttle, PageSource<TIn, TOut> source, CancellationToken cancellationToken, int prefetchPages = 5)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(throttle, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(prefetchPages, 1);
        Throttle = throttle;
        _source = source;
        _prefetchPages = prefetchPages;
        _cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
    }

    public int Throttle { get; }

    /// <summary>
    /// Told on the caller's thread, in input order, when an input's results have all been handed out (after its error,
    /// if it failed; the error is passed again). Not told for inputs a stop or a disposal cut short.
    /// </summary>
    public Action<TIn, Exception?>? InputEnded { get; init; }
    public long ItemsRead => Interlocked.Read(ref _itemsRead);
    public long InputsCompleted => Interlocked.Read(ref _inputsCompleted);
    public long InputsAdded => Interlocked.Read(ref _inputsAdded);
    /// <summary>Inputs started and not yet fully handed back; never more than <see cref="Throttle"/> once Add's results are read.</summary>
    public int Held => _jobs.Count;

    /// <summary>
    /// Starts work on <paramref name="input"/> and returns what can be handed back now; read it all. It blocks (handing
    /// back the head's items as they arrive) only while more than <see cref="Throttle"/> inputs are held.
    /// </summary>
    public IEnumerable<FanOutResult<TIn, TOut>> Add(TIn input)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var job = new InputJob(input);
        job.Ask(_jobs.Count == 0 ? 1 : _prefetchPages);
        _jobs.Enqueue(job);
        Interlocked.Increment(ref _inputsAdded);
        job.Start(_source, _cts.Token);
        return Drain(waitForAll: false);
    }

    /// <summary>Hands back everything still held, waiting for it, in input order.</summary>
    public IEnumerable<FanOutResult<TIn, TOut>> Complete() => Drain(waitForAll: true);

    private IEnumerable<FanOutResult<TIn, TOut>> Drain(bool waitForAll)
    {
        while (_jobs.TryPeek(out var head))
        {
            // A stop ends the output here too: a job its cancellation ended must not pass for one that finished.
            _cts.Token.ThrowIfCancellationRequested();
            var mustWait = waitForAll || _jobs.Count > Throttle;
            if (head.TryTake(mustWait ? PendingInterval : TimeSpan.Zero, _cts.Token, out var page))
            {
                if (page is ItemFailure<TOut> failure)
                {
                    // It answered one ask and holds nothing to take: the next page is asked for at once.
                    head.Ask(1);
                    yield return new FanOutResult<TIn, TOut>(head.Input, default, failure.Error, Subject: failure.Subject);
                    continue;
                }
                var first = head.PagesTaken++ == 0;
                if (!first) head.Ask(1);   // past its first page, the caller reads on
                var half = (page.Count + 1) / 2;
                for (var i = 0; i < page.Count; i++)
                {
                    _cts.Token.ThrowIfCancellationRequested();   // a stop ends the output too, not just the requests
                    Interlocked.Increment(ref _itemsRead);
                    yield return new FanOutResult<TIn, TOut>(head.Input, page[i], null);
                    // Runs only when the caller comes back for more: it has taken half of its first page.
                    if (first && i + 1 == half) head.Ask(2);
                }
                continue;
            }
            if (!head.Finished)
            {
                if (!mustWait) yield break;   // the head is still fetching and nothing forces a wait
                yield return new FanOutResult<TIn, TOut>(head.Input, default, null, IsPending: true);
                continue;
            }
            _jobs.Dequeue();
            Interlocked.Increment(ref _inputsCompleted);
            if (head.Error is { } error)
                yield return new FanOutResult<TIn, TOut>(head.Input, default, error);
            InputEnded?.Invoke(head.Input, head.Error);
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
            job.Worker.Wait(StopWait);   // workers catch their own failures; the wait only bounds a stuck socket
        _jobs.Clear();
        _cts.Dispose();
    }

    /// <summary>
    /// One input's work: a worker that fetches the pages asked for into a queue the caller reads. A queue, a flag and
    /// a signal rather than a Channel: a single-reader channel's completion was seen lost when its last read raced
    /// its completion (the fan-out's property test hung on it), and "finished" must never be missed.
    /// </summary>
    private sealed class InputJob(TIn input)
    {
        private readonly ConcurrentQueue<IReadOnlyList<TOut>> _pages = new();
        // Released once per page written and once at the end: a waiting caller wakes for either.
        private readonly SemaphoreSlim _changed = new(0);
        private readonly SemaphoreSlim _pagesAskedFor = new(0);
        private volatile bool _done;

        public TIn Input { get; } = input;
        public Task Worker { get; private set; } = Task.CompletedTask;
        /// <summary>Why the work ended early; set before the work is marked done.</summary>
        public Exception? Error { get; private set; }
        /// <summary>Every page was handed out (or the work failed or stopped). Done is set after the last page is queued.</summary>
        public bool Finished => _done && _pages.IsEmpty;

        public void Ask(int pages) => _pagesAskedFor.Release(pages);

        /// <summary>Pages the caller has been handed; read and written on the caller's thread only.</summary>
        public int PagesTaken { get; set; }

        public void Start(PageSource<TIn, TOut> source, CancellationToken ct) =>
            Worker = Task.Run(() => RunAsync(source, ct), CancellationToken.None);

        private async Task RunAsync(PageSource<TIn, TOut> source, CancellationToken ct)
        {
            try
            {
                await using var pages = source(Input, ct).GetAsyncEnumerator(ct);
                var more = true;
                while (more)
                {
                    await _pagesAskedFor.WaitAsync(ct).ConfigureAwait(false);
                    // An empty page answers no ask: the caller, handed nothing, would never ask again. So the worker
                    // moves on by itself to the next page or the end (a filter that matched nothing, a 204).
                    while ((more = await pages.MoveNextAsync().ConfigureAwait(false)) && pages.Current is { Count: 0 } and not ItemFailure<TOut>) { }
                    if (!more) break;
                    _pages.Enqueue(pages.Current);
                    _changed.Release();
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                // Stopped: the caller is gone or going; nothing to report.
            }
            catch (Exception ex)
            {
                Error = ex;
            }
            _done = true;
            _changed.Release();
        }

        /// <summary>The next page if one is there, waiting up to <paramref name="wait"/> for it unless the work is finished.</summary>
        public bool TryTake(TimeSpan wait, CancellationToken ct, [NotNullWhen(true)] out IReadOnlyList<TOut>? page)
        {
            if (_pages.TryDequeue(out page))
                return true;
            // Done is set after the last page was queued: seen done, a second look finds any page still there.
            if (wait <= TimeSpan.Zero || _done)
                return _pages.TryDequeue(out page);
            return _changed.Wait(wait, ct) && _pages.TryDequeue(out page);
        }
    }
}

/// <summary>
/// An item produced for an input; the error that ended that input's work; an error about one item of it
/// (<see cref="Subject"/> names what failed, and the input's work goes on); or (<see cref="IsPending"/>) a sign of life
/// while the caller waits for the head, so it can show progress.
/// </summary>
public readonly record struct FanOutResult<TIn, TOut>(TIn Input, TOut? Item, Exception? Error, bool IsPending = false, object? Subject = null)
{
    public bool IsError => Error is not null;
}
