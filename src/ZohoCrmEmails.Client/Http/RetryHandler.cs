using System.Net;

namespace ZohoCrmEmails.Http;

/// <summary>
/// Retries 429, 5xx and transient failures (timeouts, dropped connections) with exponential backoff and jitter,
/// honouring Retry-After. Bounded by attempts and by total wait; when a bound is hit the last response (or
/// failure) goes back to the caller, which turns it into its specific error.
/// </summary>
internal sealed class RetryHandler(ZcrmRetryPolicy policy, TimeProvider time) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var waited = TimeSpan.Zero;
        for (var attempt = 1; ; attempt++)
        {
            var message = attempt == 1 ? request : await RequestCloning.CloneAsync(request, cancellationToken).ConfigureAwait(false);
            HttpResponseMessage response;
            TimeSpan? retryAfter = null;
            try
            {
                response = await base.SendAsync(message, cancellationToken).ConfigureAwait(false);
                if (!IsRetryable(response.StatusCode) || attempt >= policy.MaxAttempts)
                    return response;
                retryAfter = RetryAfter(response, time);
                var delay = retryAfter ?? policy.Backoff(attempt);
                if (waited + delay > policy.MaxTotalDelay)
                    return response;
                response.Dispose();
                waited += delay;
                await Task.Delay(delay, time, cancellationToken).ConfigureAwait(false);
            }
            catch (ZcrmException ex) when (ex.IsTransient && attempt < policy.MaxAttempts)
            {
                var delay = policy.Backoff(attempt);
                if (waited + delay > policy.MaxTotalDelay)
                    throw;
                waited += delay;
                await Task.Delay(delay, time, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    internal static bool IsRetryable(HttpStatusCode status) => status == HttpStatusCode.TooManyRequests || (int)status >= 500;

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
