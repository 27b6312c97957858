namespace ZohoCrmEmails.Engine.Http;

/// <summary>
/// Caps the requests a connection has on the wire, across all its callers. Additive increase, multiplicative decrease: a 429 halves the
/// limit for every caller of the connection, and each run of successes as long as the limit raises it by one,
/// up to the configured ceiling. Waiting callers queue in order, except that a request marked first (a list page:
/// the sequential paging that sets a record's pace) goes ahead of the detail reads and downloads waiting beside it;
/// nothing is dropped.
/// </summary>
public sealed class AdaptiveConcurrencyLimiter(int ceiling)
{
    private readonly object _gate = new();
    private readonly LinkedList<TaskCompletionSource> _waiters = new();
    private int _limit = ceiling;
    private int _inFlight;
    private int _successes;
    private int _completedSinceCut = ceiling;

    public int Ceiling { get; } = ceiling;
    public int CurrentLimit { get { lock (_gate) return _limit; } }

    public async ValueTask AcquireAsync(CancellationToken ct, bool first = false)
    {
        TaskCompletionSource waiter;
        LinkedListNode<TaskCompletionSource> node;
        lock (_gate)
        {
            if (_inFlight < _limit && _waiters.Count == 0)
            {
                _inFlight++;
                return;
            }
            waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            node = first ? AddAfterOtherFirsts(waiter) : _waiters.AddLast(waiter);
        }
        using (ct.Register(() =>
        {
            lock (_gate)
            {
                if (node.List is null) return;   // already granted
                _firsts.Remove(node);
                _waiters.Remove(node);
            }
            waiter.TrySetCanceled(ct);
        }))
        {
            await waiter.Task.ConfigureAwait(false);
        }
    }

    private readonly HashSet<LinkedListNode<TaskCompletionSource>> _firsts = [];

    // Ahead of every waiter not marked first, behind those that are (they keep their own order).
    private LinkedListNode<TaskCompletionSource> AddAfterOtherFirsts(TaskCompletionSource waiter)
    {
        var before = _waiters.First;
        while (before is not null && _firsts.Contains(before)) before = before.Next;
        var node = before is null ? _waiters.AddLast(waiter) : _waiters.AddBefore(before, waiter);
        _firsts.Add(node);
        return node;
    }

    public void Release(bool throttled)
    {
        List<TaskCompletionSource>? granted = null;
        lock (_gate)
        {
            _inFlight--;
            _completedSinceCut = Math.Min(_completedSinceCut + 1, int.MaxValue - 1);
            if (throttled)
            {
                // One cut per round of requests: a burst of 429s from the same round must not collapse the limit to 1.
                if (_completedSinceCut >= _limit)
                {
                    _limit = Math.Max(1, _limit / 2);
                    _completedSinceCut = 0;
                }
                _successes = 0;
            }
            else if (_limit < Ceiling && ++_successes >= _limit)
            {
                _limit++;
                _successes = 0;
            }
            while (_inFlight < _limit && _waiters.First is { } first)
            {
                _firsts.Remove(first);
                _waiters.RemoveFirst();
                _inFlight++;
                (granted ??= []).Add(first.Value);
            }
        }
        if (granted is not null)
            foreach (var w in granted) w.TrySetResult();
    }
}
