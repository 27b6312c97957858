using System.Globalization;
using System.Net;

namespace ZohoCrmEmails.Engine.Http;

/// <summary>
/// Retries 429, 5xx, CANNOT_PROCESS and transient failures (timeouts, dropped or refused connections) with exponential
/// backoff and jitter, honouring Retry-After. Bounded by attempts and by total wait; when a bound is hit the last
/// response (or failure) goes back to the caller, which turns it into its specific error. Every attempt first asks the
/// connection's <see cref="CircuitBreaker"/>, and tells it what the answer said, so that a server refusing everything
/// is not asked again by every request; each retry and its wait is traced.
/// </summary>
internal sealed class RetryHandler(ZcrmRetryPolicy policy, TimeProvider time, CircuitBreaker breaker) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var state = RequestState.Of(request);
        var maxAttempts = Math.Min(state.MaxAttempts ?? policy.MaxAttempts, policy.MaxAttempts);
        var waited = TimeSpan.Zero;
        // The last refused or failed answer, kept through the back-off: if the retry is not sent, it is the answer.
        HttpResponseMessage? last = null;
        ZcrmException? lastError = null;
        try
        {
            for (var attempt = 1; ; attempt++)
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
                var (response, error) = await AttemptAsync(request, attempt, isProbe, cancellationToken).ConfigureAwait(false);
                TimeSpan delay;
                if (error is not null)
                {
                    if (attempt >= maxAttempts || !PlanRetry(state, attempt, maxAttempts, null, error.Message, ref waited, out delay))
                        throw error;
                    lastError = error;
                }
                else
                {
                    var credits = CreditsRemaining(response!);
                    if (credits is { } c) state.Context.Trace?.OnApiCreditsRemaining(c);
                    var retryAfter = RetryAfter(response!, time);
                    var status = (int)response!.StatusCode;
                    var code = status >= 400 ? ZohoErrors.Code(response) : null;
                    var (outcome, retryable) = Classify(response.StatusCode, code);
                    var what = $"HTTP {status}{(code is null ? "" : " " + code)}";
                    breaker.Report(isProbe, outcome, code ?? ZohoErrors.CodeForStatus(status), ZohoErrors.KindFor(code ?? "", status), what, retryAfter, credits);
                    if (!retryable || attempt >= maxAttempts || !PlanRetry(state, attempt, maxAttempts, retryAfter, what, ref waited, out delay))
                        return response;
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
            var unreachable = ex.Details.TryGetValue("cause", out var cause) && cause is "refused" or "dns" or "tls" or "unreachable";
            breaker.Report(isProbe, unreachable ? AttemptOutcome.Unreachable : AttemptOutcome.Failed, ex.Code, ex.Kind, ex.Message, null, null);
            reported = true;
            return (null, ex);
        }
        finally
        {
            if (!reported) breaker.Report(isProbe, AttemptOutcome.Inconclusive, "", default, "", null, null);
        }
    }

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

    // The wait before the next attempt, within the request's total budget; false when the budget does not allow one.
    private bool PlanRetry(RequestState state, int attempt, int maxAttempts, TimeSpan? retryAfter, string what, ref TimeSpan waited, out TimeSpan delay)
    {
        delay = retryAfter ?? policy.Backoff(attempt);
        if (waited + delay > policy.MaxTotalDelay) return false;
        waited += delay;
        state.Context.Trace?.OnNotice(string.Create(CultureInfo.InvariantCulture,
            $"{state.RequestLine} -> {what}: retrying in {delay.TotalSeconds:0.0} s{(retryAfter is null ? "" : " (Retry-After)")}, attempt {attempt + 1} of {maxAttempts}."));
        return true;
    }

    internal static long? CreditsRemaining(HttpResponseMessage response) =>
        response.Headers.TryGetValues("X-API-CREDITS-REMAINING", out var values)
        && long.TryParse(values.FirstOrDefault(), NumberStyles.None, CultureInfo.InvariantCulture, out var credits)
            ? credits
            : null;

    internal static TimeSpan? RetryAfter(HttpResponseMessage response, TimeProvider time)
    {
        var header = response.Headers.RetryAfter;
        if (header?.Delta is { } delta) return delta < TimeSpan.Zero ? TimeSpan.Zero : delta;
        if (header?.Date is { } date)
        {
            var wait = date - time.GetUtcNow();
            return wait < TimeSpan.Zero ? TimeSpan.Zero : wait;
        }
        return null;
    }
}
