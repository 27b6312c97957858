namespace ZohoCrmEmails.Engine.Http;

/// <summary>What one attempt's answer says about the server as a whole, for the <see cref="CircuitBreaker"/>.</summary>
internal enum AttemptOutcome
{
    /// <summary>The server answered with something other than a refusal or a fault (a 2xx, or a 4xx about this request).</summary>
    Answered,
    /// <summary>429: the org's credits are spent, or it refuses even one request at a time.</summary>
    Refused,
    /// <summary>429 about the org's calls at once, while others succeed: the concurrency limiter's business.</summary>
    Throttled,
    /// <summary>5xx, a timeout or a dropped connection: the server is there but failing.</summary>
    Failed,
    /// <summary>Refused connection, unknown host, failed TLS handshake: nothing answers at all.</summary>
    Unreachable,
    /// <summary>The caller stopped the attempt, or it ended before the server said anything (a token refused): says nothing.</summary>
    Inconclusive,
}

/// <summary>
/// One per HTTP client of a connection: stops a whole run from spending requests against a server that refuses
/// everything. Without it, every record of a nightly job runs its own retry ladder against spent credits or a closed
/// port (hundreds of refused calls, or minutes per record).
/// <list type="bullet">
/// <item>Healthy: requests pass.</item>
/// <item>A refusal or failure makes it cool down: no request is sent until a back-off (Retry-After where given) has
/// passed; then one request goes as a probe while the others wait for its answer. An answer ends it (healthy again);
/// another refusal cools down longer. Requests already on the wire when it began do not count.</item>
/// <item>After <c>maxProbes</c> failed probes in a row (two when nothing answers at all), or at once for a 429 that says
/// no credits are left or a Retry-After longer than any request would wait, it trips: requests not yet sent fail at
/// once, each with its own error, until a cool-down has passed; then one probe may go again.</item>
/// <item>Once Zoho reports no more credits left than the connection's reserve, nothing more is sent at all.</item>
/// </list>
/// Every wait here ends: by the cool-down's timer, by the probe's answer (itself bounded by the request timeout), by the
/// caller's cancellation, or by <see cref="Dispose"/>.
/// </summary>
internal sealed class CircuitBreaker : IDisposable
{
    /// <summary>How long a tripped breaker refuses before it lets a probe try again, without a Retry-After.</summary>
    internal static readonly TimeSpan TrippedCooldown = TimeSpan.FromSeconds(60);
    private const int MaxProbesWhenUnreachable = 2;
    private readonly object _gate = new();
    private readonly ZcrmRetryPolicy _policy;
    private readonly TimeProvider _time;
    private readonly string _server;
    private readonly long? _creditReserve;
    private State _state = State.Healthy;
    private int _failures;
    private DateTimeOffset _trippedUntil;
    private bool _probeInFlight;
    private ITimer? _cooldown;
    private int _cooldowns;
    private string _lastFailure = "";
    private AttemptOutcome _lastOutcome;
    private string _lastCode = "";
    private ZcrmErrorKind _lastKind;
    private TaskCompletionSource _changed = NewSignal();
    private long _creditsRemaining = -1;
    private bool _disposed;

    private enum State { Healthy, CoolingDown, ProbeMayGo, Tripped, ReserveReached }

    /// <param name="policy">The retry policy: its back-off between probes, its attempts as the most probes.</param>
    /// <param name="time">The clock and timers (tests pass their own).</param>
    /// <param name="server">What it guards, for messages: "Zoho CRM" or "the accounts server".</param>
    /// <param name="creditReserve">Credits to leave for others; null for none.</param>
    public CircuitBreaker(ZcrmRetryPolicy policy, TimeProvider time, string server, long? creditReserve)
    {
        _policy = policy;
        _time = time;
        _server = server;
        _creditReserve = creditReserve;
    }

    /// <summary>X-API-CREDITS-REMAINING as last seen; null before Zoho sent it (it does once half the day's credits are used).</summary>
    public long? CreditsRemaining => Interlocked.Read(ref _creditsRemaining) is var c && c >= 0 ? c : null;

    /// <summary>Whether requests are being refused before they are sent (tripped, or the credit reserve reached).</summary>
    public bool IsTripped { get { lock (_gate) return _state is State.Tripped or State.ReserveReached; } }

    /// <summary>
    /// Waits until a request may be sent. A ticket to send (a probe, when the breaker is cooling down), or the
    /// reason this request is not sent at all.
    /// </summary>
    public async ValueTask<(bool IsProbe, ZcrmException? NotSent)> EnterAsync(string request, CancellationToken ct)
    {
        while (true)
        {
            Task changed;
            lock (_gate)
            {
                if (_disposed)
                    return (false, new ZcrmException(ZcrmErrorCodes.NotConnected, ZcrmErrorKind.Authentication,
                        "This Zoho CRM connection was closed. Connect again.", null, request));
                switch (_state)
                {
                    case State.Healthy:
                        return (false, null);
                    case State.ReserveReached:
                        return (false, ReserveReached(request));
                    case State.Tripped when _time.GetUtcNow() < _trippedUntil:
                        return (false, NotSent(request));
                    case State.Tripped or State.ProbeMayGo when !_probeInFlight:
                        _probeInFlight = true;
                        return (true, null);
                }
                changed = _changed.Task;   // cooling down, or a probe's answer is awaited
            }
            await changed.WaitAsync(ct).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// What an attempt's answer says; <paramref name="isProbe"/> as <see cref="EnterAsync"/> gave it. For a refusal or
    /// failure, <paramref name="code"/> and <paramref name="kind"/> are its error's, which requests not sent then get too.
    /// </summary>
    public void Report(bool isProbe, AttemptOutcome outcome, string code, ZcrmErrorKind kind, string description,
        TimeSpan? retryAfter, long? creditsRemaining)
    {
        lock (_gate)
        {
            if (_disposed) return;
            if (creditsRemaining is { } credits)
            {
                Interlocked.Exchange(ref _creditsRemaining, credits);
                if (_creditReserve is { } reserve && credits <= reserve)
                {
                    Move(State.ReserveReached);
                    return;
                }
            }
            if (isProbe) _probeInFlight = false;
            if (_state == State.ReserveReached) return;
            // A probe refused for concurrency is still refused; any other such 429 is the limiter's, not a sign of a
            // server refusing everything.
            if (outcome == AttemptOutcome.Throttled)
            {
                if (!isProbe) return;
                outcome = AttemptOutcome.Refused;
            }
            switch (outcome)
            {
                case AttemptOutcome.Answered:
                    _failures = 0;
                    Move(State.Healthy);
                    return;
                case AttemptOutcome.Inconclusive:
                    if (isProbe) Signal();   // another waiter may probe instead
                    return;
            }
            _lastFailure = description;
            _lastOutcome = outcome;
            _lastCode = code;
            _lastKind = kind;
            // A 429 that says no credit is left will not be cured by waiting minutes; nor is a Retry-After longer
            // than any request would wait worth waiting for here.
            var hopeless = (outcome == AttemptOutcome.Refused && creditsRemaining == 0) || retryAfter > _policy.MaxTotalDelay;
            if (!hopeless && _state == State.Healthy)
            {
                _failures = 1;
                CoolDown(retryAfter ?? _policy.Backoff(1));
                return;
            }
            // Answers to requests sent before the cool-down began say nothing new; only a probe's answer counts.
            if (!hopeless && !isProbe) return;
            _failures++;
            var maxProbes = Math.Min(_policy.MaxAttempts - 1, outcome == AttemptOutcome.Unreachable ? MaxProbesWhenUnreachable : int.MaxValue);
            if (hopeless || _failures > maxProbes)
            {
                _trippedUntil = _time.GetUtcNow() + (retryAfter is { } after && after > TimeSpan.Zero ? after : TrippedCooldown);
                Move(State.Tripped);
                return;
            }
            CoolDown(retryAfter ?? _policy.Backoff(_failures));
        }
    }

    private void CoolDown(TimeSpan wait)
    {
        _cooldown?.Dispose();
        Move(State.CoolingDown);
        // The breaker's own timer ends the cool-down, not a waiting caller (who may be cancelled).
        // It may fire before it is stored (it then waits for this lock), or late, after a newer cool-down began:
        // it ends only its own.
        var cooldown = ++_cooldowns;
        _cooldown = _time.CreateTimer(_ =>
        {
            lock (_gate)
            {
                if (_state == State.CoolingDown && _cooldowns == cooldown && !_disposed) Move(State.ProbeMayGo);
            }
        }, null, wait < TimeSpan.Zero ? TimeSpan.Zero : wait, Timeout.InfiniteTimeSpan);
    }

    private void Move(State state)
    {
        _state = state;
        if (state != State.CoolingDown)
        {
            _cooldown?.Dispose();
            _cooldown = null;
        }
        Signal();
    }

    private void Signal()
    {
        var changed = _changed;
        _changed = NewSignal();
        changed.TrySetResult();
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    // The same id as the failure that tripped it (Zcrm.TOO_MANY_REQUESTS, Zcrm.ConnectionFailed …), marked as not sent.
    private ZcrmException NotSent(string request)
    {
        var until = _trippedUntil.ToLocalTime().ToString("HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture);
        return new ZcrmException(_lastCode, _lastKind,
            $"Not sent: {_server} {Said()} {_failures} time(s) in a row (last: {_lastFailure}), so this connection sends nothing " +
            $"more to it until {until}; the work that needed this request was not done.",
            null, request, new Dictionary<string, string> { ["notSent"] = "true", ["until"] = _trippedUntil.ToString("o") });
    }

    private string Said() => _lastOutcome switch
    {
        AttemptOutcome.Refused => "refused requests (429: the org's API credits are spent, or too many calls at once)",
        AttemptOutcome.Unreachable => "could not be reached",
        _ => "failed requests",
    };

    private ZcrmException ReserveReached(string request) =>
        new(ZcrmErrorCodes.CreditReserveReached, ZcrmErrorKind.LimitsExceeded,
            $"Zoho CRM reports {CreditsRemaining} API credits left today, at or below the connection's reserve of {_creditReserve}: " +
            "this connection sends no more requests, so the credits left stay for the org's other work.",
            null, request, new Dictionary<string, string> { ["creditsRemaining"] = $"{CreditsRemaining}", ["reserve"] = $"{_creditReserve}" });

    /// <summary>Wakes every waiter; they then find the breaker disposed.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            _cooldown?.Dispose();
            Signal();
        }
    }
}
