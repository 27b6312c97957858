namespace ZohoCrmEmails.Engine.Http;

/// <summary>
/// Caps the requests a connection has on the wire, across all its callers, and learns what the org leaves free. Zoho
/// caps an org's calls in flight by edition (Free 5 … Ultimate 25), shared by every integration of the org; a call over
/// the cap is a 429. So the cap the connection was given (<see cref="Ceiling"/>) is only an upper bound, and the limit
/// is learned (and kept for the connection's later commands):
/// <list type="bullet">
/// <item>It starts low and doubles the limit with every round of successes (a round: as many answers as the limit)
/// until the first 429 about concurrency or the ceiling, so a new connection does not open with a burst of refusals.</item>
/// <item>A 429 of a request let on since the last cut (the round's first word on the limit) lowers it: by one when it
/// comes alone after a window of successes (one slot too many, often one the server had not yet freed); by half, to
/// at most what was in flight, when 429s come together (other integrations took slots).</item>
/// <item>Past the limit, one request at a time tries a slot more, once as many rounds as <c>roundsPerProbe</c> have
/// gone by without a 429: when it is answered the limit is one higher. A refused try, or a lone 429 at the limit, says
/// the limit is the org's, so the next try waits twice as long (up to 16 rounds); 429s together (a change) start it
/// again from one round, so the limit climbs back quickly when others leave. A cap that does not move costs a refusal
/// now and then, not every few requests.</item>
/// </list>
/// Waiting callers queue in order, except that a request marked first (a list page: the sequential paging that sets a
/// record's pace) goes ahead of the detail reads and downloads waiting beside it; nothing is dropped. Every wait ends:
/// by a release, or by the caller's cancellation.
/// </summary>
public sealed class AdaptiveConcurrencyLimiter
{
    /// <summary>
    /// Refusals in a row (no success between them) at a limit of one, after which the server is taken to refuse
    /// everything; more than a sporadic burst of 429s holds.
    /// </summary>
    internal const int RefusalsAtOneToGiveUp = 5;
    private const int FirstLimit = 4;
    private const int MaxRoundsPerProbe = 16;
    private readonly object _gate = new();
    private readonly LinkedList<Waiter> _waiters = new();
    private int _limit;
    private int _inFlight;
    private bool _slowStart = true;
    private int _successes;
    private int _successesSinceRefusal;
    private int _roundsPerProbe = 1;
    private bool _probeDue;
    private bool _probeOut;
    private int _round;
    private int _refusedInARow;
    private long _throttled;

    public AdaptiveConcurrencyLimiter(int ceiling)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(ceiling, 1);
        Ceiling = ceiling;
        _limit = Math.Min(ceiling, FirstLimit);
    }

    /// <summary>The edition's cap the connection was given: the limit never goes above it.</summary>
    public int Ceiling { get; }
    /// <summary>Requests let on the wire at once now: what the org was seen to leave free.</summary>
    public int CurrentLimit { get { lock (_gate) return _limit; } }
    /// <summary>429s about concurrency this connection has been answered.</summary>
    public long Throttled => Interlocked.Read(ref _throttled);

    /// <summary>A request's place on the wire: the round it was let on in, and whether it tries a slot past the limit.</summary>
    public readonly record struct Lease(int Round, bool IsProbe);

    /// <summary>
    /// What one request's answer did to the limit: old and new (equal when unchanged); <paramref name="Starting"/> for
    /// the climb of a new connection, which is not worth a trace line per step.
    /// </summary>
    public readonly record struct Change(int From, int To, bool RefusesEverything, bool Starting)
    {
        public bool Changed => From != To;
    }

    private sealed class Waiter(bool first)
    {
        public TaskCompletionSource<Lease> Granted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public bool First { get; } = first;
    }

    public async ValueTask<Lease> AcquireAsync(CancellationToken ct, bool first = false)
    {
        Waiter waiter;
        LinkedListNode<Waiter> node;
        lock (_gate)
        {
            if (_waiters.Count == 0 && TryGrant() is { } lease)
                return lease;
            waiter = new Waiter(first);
            node = first ? AddAfterOtherFirsts(waiter) : _waiters.AddLast(waiter);
        }
        using (ct.Register(() =>
        {
            lock (_gate)
            {
                if (node.List is null) return;   // already granted
                _waiters.Remove(node);
            }
            waiter.Granted.TrySetCanceled(ct);
        }))
        {
            return await waiter.Granted.Task.ConfigureAwait(false);
        }
    }

    // Under the gate: a place within the limit, else the one try past it when one is due.
    private Lease? TryGrant()
    {
        if (_inFlight < _limit)
        {
            _inFlight++;
            return new Lease(_round, false);
        }
        if (!_probeDue || _probeOut) return null;
        _probeDue = false;
        _probeOut = true;
        _inFlight++;
        return new Lease(_round, true);
    }

    // Ahead of every waiter not marked first, behind those that are (they keep their own order).
    private LinkedListNode<Waiter> AddAfterOtherFirsts(Waiter waiter)
    {
        var before = _waiters.First;
        while (before is not null && before.Value.First) before = before.Next;
        return before is null ? _waiters.AddLast(waiter) : _waiters.AddBefore(before, waiter);
    }

    /// <summary>
    /// Gives the request's place back. <paramref name="answered"/>: the server answered it with something other than a
    /// 429 about concurrency (false for a 429, null for no answer at all: a failure or a stop, which teaches nothing).
    /// </summary>
    public Change Release(Lease lease, bool? answered)
    {
        List<(TaskCompletionSource<Lease> Granted, Lease Lease)>? granted = null;
        Change change;
        lock (_gate)
        {
            var from = _limit;
            var starting = _slowStart;
            _inFlight--;
            if (lease.IsProbe) _probeOut = false;
            var refusesEverything = false;
            if (answered == true) Succeeded(lease);
            else if (answered == false) refusesEverything = Refused(lease);
            change = new Change(from, _limit, refusesEverything, starting && _slowStart);
            while (_waiters.First is { } next && TryGrant() is { } l)
            {
                _waiters.RemoveFirst();
                (granted ??= []).Add((next.Value.Granted, l));
            }
        }
        if (granted is not null)
            foreach (var (tcs, l) in granted) tcs.TrySetResult(l);
        return change;
    }

    private void Succeeded(Lease lease)
    {
        _refusedInARow = 0;
        _successesSinceRefusal++;
        if (lease.IsProbe)
        {
            // A slot more was there: the limit is one higher.
            if (_limit < Ceiling) _limit++;
            _successes = 0;
            return;
        }
        // A request let on before the last cut says nothing about the limit since.
        if (lease.Round != _round || _limit >= Ceiling) return;
        if (_slowStart)
        {
            _limit++;   // one more for each success: the limit doubles with each round
            return;
        }
        if (!_probeDue && ++_successes >= _limit * _roundsPerProbe)
        {
            _successes = 0;
            _probeDue = true;
        }
    }

    // True when the server refuses even one request at a time, again and again: waiting a moment will not cure it.
    private bool Refused(Lease lease)
    {
        Interlocked.Increment(ref _throttled);
        _refusedInARow++;
        _successes = 0;
        _slowStart = false;
        if (lease.IsProbe)
        {
            // No slot more: the limit is the org's, so the next try waits longer.
            _roundsPerProbe = Math.Min(_roundsPerProbe * 2, MaxRoundsPerProbe);
        }
        // Let on before the last cut, it says nothing new: the cut was made for it.
        else if (lease.Round == _round)
        {
            _round++;
            _probeDue = false;
            if (_successesSinceRefusal >= _limit)
            {
                // Alone after a window of successes: one slot too many (often one the server had not yet freed), at
                // what is the org's cap, so the next try past it waits longer too.
                _limit = Math.Max(1, _limit - 1);
                _roundsPerProbe = Math.Min(_roundsPerProbe * 2, MaxRoundsPerProbe);
            }
            else
            {
                // 429s together: others took slots. Half off, at most what is on the wire; and once they leave, the
                // limit climbs back soon.
                _limit = Math.Max(1, Math.Min(_inFlight + 1, _limit) / 2);
                _roundsPerProbe = 1;
            }
        }
        _successesSinceRefusal = 0;
        return _limit == 1 && _refusedInARow >= RefusalsAtOneToGiveUp;
    }
}
