using System.Globalization;
using System.Net;

namespace ZohoCrmEmails.Engine.Http;

/// <summary>
/// Retries 429, 5xx, CANNOT_PROCESS and transient failures (timeouts, dropped or refused connections) with exponential
/// backoff and jitter, honouring Retry-After. Bounded by attempts and by total wait; when a bound is hit the last
/// response (or failure) goes back to the caller, which turns it into its specific error. Every attempt first asks the
/// connection's <see cref="CircuitBreaker"/>, and tells it what the answer said, so that a server refusing everything
/// is not asked again by every request; each retry and its wait is traced.
/// <para>
/// A 429 about the org's calls at once (<see cref="ZohoLimits.IsConcurrencyRefusal"/>) is the concurrency limiter's
/// business, not the breaker's: the limiter lowers the connection's limit, and this request alone tries again after a
/// short jittered wait, the others going on. Such retries do not spend the request's attempts (a busy org may refuse
/// one request several times while it succeeds at the rest), only its total wait, and at most
/// <see cref="MaxConcurrencyRetries"/> of them; a policy of one attempt retries nothing. Only when the server refuses
/// even one request at a time, again and again, does the breaker hear of it.
/// </para>
/// </summary>
internal sealed class RetryHandler(ZcrmRetryPolicy policy, TimeProvider time, CircuitBreaker breaker) : DelegatingHandler
{
    internal const int MaxConcurrencyRetries = 20;

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var state = RequestState.Of(request);
        var maxAttempts = Math.Min(state.MaxAttempts ?? policy.MaxAttempts, policy.MaxAttempts);
        var waited = TimeSpan.Zero;
        var attempt = 1;
        var concurrencyRetries = 0;
        var sent = 0;
        // The last refused or failed answer, kept through the back-off: if the retry is not sent, it is the answer.
        HttpResponseMessage? last = null;
        ZcrmException? lastError = null;
        try
        {
            while (true)
            {
                var (isProbe, notSent) = await breaker.EnterAsync(state.RequestLine, cancellationToken).ConfigureAwait(false);
                if (notSent is not null)
                {
                    if (last is not null) return Keep(ref last);
                    throw lastError ?? notSent;
                }
                last?.Dispose();
                last = null;
                lastError = null;
                var (response, error) = await AttemptAsync(request, ++sent, isProbe, cancellationToken).ConfigureAwait(false);
                TimeSpan delay;
                if (error is not null)
                {
                    if (!state.Idempotent && !NeverReached(error)) throw error;
                    if (attempt >= maxAttempts || !PlanRetry(state, $"attempt {attempt + 1} of {maxAttempts}", null, error.Message, policy.Backoff(attempt), ref waited, out delay))
                        throw error;
                    attempt++;
                    lastError = error;
                }
                else
                {
                    var credits = ZohoLimits.CreditsRemaining(response!);
                    if (credits is { } c) state.Context.Trace?.OnApiCreditsRemaining(c);
                    var retryAfter = ZohoLimits.RetryAfter(response!, time);
                    var status = (int)response!.StatusCode;
                    var code = status >= 400 ? ZohoErrors.Code(state) : null;
                    var what = $"HTTP {status}{(code is null ? "" : " " + code)}";
                    // A Retry-After longer than any request would wait is the breaker's, whatever the 429 is about.
                    var aboutConcurrency = ZohoLimits.IsConcurrencyRefusal(response) && !state.RefusedEverything && !(retryAfter > policy.MaxTotalDelay)
                        && maxAttempts > 1;   // no retries asked for: none
                    var (outcome, retryable) = aboutConcurrency ? (AttemptOutcome.Throttled, true) : Classify(response.StatusCode, code);
                    // A request the server may have acted on is not sent again: only a refusal (429) is safe to retry.
                    if (!state.Idempotent && response.StatusCode != HttpStatusCode.TooManyRequests) retryable = false;
                    breaker.Report(isProbe, outcome, code ?? ZohoErrors.CodeForStatus(status), ZohoErrors.KindFor(code ?? "", status), what, retryAfter, credits);
                    if (aboutConcurrency)
                    {
                        if (++concurrencyRetries > MaxConcurrencyRetries
                            || !PlanRetry(state, "the org's calls at once are taken", retryAfter, what, retryAfter ?? policy.ShortBackoff(concurrencyRetries), ref waited, out delay))
                            return response;
                    }
                    else
                    {
                        if (!retryable || attempt >= maxAttempts
                            || !PlanRetry(state, $"attempt {attempt + 1} of {maxAttempts}", retryAfter, what, retryAfter ?? policy.Backoff(attempt), ref waited, out delay))
                            return response;
                        attempt++;
                    }
                    last = response;
                }
                await Task.Delay(delay, time, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            last?.Dispose();
        }
    }

    /// <summary>
    /// One attempt: its response, or the transient failure it ended in (already reported to the breaker). Anything else
    /// propagates, after freeing the attempt's place as a probe: a stop, or a failure before the server said anything
    /// (a token refused), tells the breaker nothing.
    /// </summary>
    private async Task<(HttpResponseMessage? Response, ZcrmException? Error)> AttemptAsync(HttpRequestMessage request, int attempt, bool isProbe,
        CancellationToken ct)
    {
        var reported = false;
        try
        {
            var message = attempt == 1 ? request : await RequestCloning.CloneAsync(request, ct).ConfigureAwait(false);
            var response = await base.SendAsync(message, ct).ConfigureAwait(false);
            reported = true;   // by the caller, which reads its status first
            return (response, null);
        }
        catch (ZcrmException ex) when (ex.IsTransient)
        {
            var unreachable = NeverReached(ex);
            breaker.Report(isProbe, unreachable ? AttemptOutcome.Unreachable : AttemptOutcome.Failed, ex.Code, ex.Kind, ex.Message, null, null);
            reported = true;
            return (null, ex);
        }
        finally
        {
            if (!reported) breaker.Report(isProbe, AttemptOutcome.Inconclusive, "", default, "", null, null);
        }
    }

    // A connection that was never made (refused, unknown host, failed handshake): the server never saw the request.
    private static bool NeverReached(ZcrmException ex) =>
        ex.Details.TryGetValue("cause", out var cause) && cause is "refused" or "dns" or "tls" or "unreachable";

    private static HttpResponseMessage Keep(ref HttpResponseMessage? response)
    {
        var kept = response!;
        response = null;
        return kept;
    }

    /// <summary>
    /// What an answer says about the server (for the breaker) and whether this request is worth retrying. 429 and 5xx
    /// are about the server. CANNOT_PROCESS is a 400, but Zoho's own text says its causes are mostly temporary (the
    /// search that lists e-mails briefly unavailable, an IMAP sync in progress: "try after some time"), so it is retried
    /// like a 5xx; it concerns one record's mailbox, so the server counts as having answered.
    /// </summary>
    internal static (AttemptOutcome Outcome, bool Retryable) Classify(HttpStatusCode status, string? code) => (int)status switch
    {
        429 => (AttemptOutcome.Refused, true),
        >= 500 => (AttemptOutcome.Failed, true),
        400 when ZohoCodes.Find(code)?.Retryable == true => (AttemptOutcome.Answered, true),
        _ => (AttemptOutcome.Answered, false),
    };

    // The wait before the next attempt, within the request's total budget; false when the budget does not allow it.
    private bool PlanRetry(RequestState state, string which, TimeSpan? retryAfter, string what, TimeSpan wait, ref TimeSpan waited, out TimeSpan delay)
    {
        delay = wait;
        if (waited + delay > policy.MaxTotalDelay) return false;
        waited += delay;
        state.Context.Trace?.OnNotice(string.Create(CultureInfo.InvariantCulture,
            $"{state.RequestLine} -> {what}: retrying in {delay.TotalSeconds:0.0##} s{(retryAfter is null ? "" : " (Retry-After)")}, {which}."));
        return true;
    }
}
