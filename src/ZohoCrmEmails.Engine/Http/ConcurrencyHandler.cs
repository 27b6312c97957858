using System.Net;

namespace ZohoCrmEmails.Engine.Http;

/// <summary>
/// The one place requests wait for their turn on the wire. Two limits apply to each attempt, and only to the attempt
/// itself (never to token renewal or retry back-off, which sit outside this handler):
/// <list type="bullet">
/// <item>the caller's own cap (<see cref="ZcrmCallContext.MaxConcurrentRequests"/>, -ThrottleLimit), taken first so
/// that a caller at its cap does not hold a connection slot while it waits;</item>
/// <item>the connection's adaptive cap (<see cref="AdaptiveConcurrencyLimiter"/>): the edition's limit, halved for
/// every caller of the connection after a 429 and raised again by successes.</item>
/// </list>
/// </summary>
internal sealed class ConcurrencyHandler(AdaptiveConcurrencyLimiter connectionLimit) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var state = RequestState.Of(request);
        var callerSlots = state.Context.Slots;
        if (callerSlots is not null) await callerSlots.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await connectionLimit.AcquireAsync(cancellationToken, state.GoesFirst).ConfigureAwait(false);
            var throttled = false;
            try
            {
                var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
                throttled = response.StatusCode == HttpStatusCode.TooManyRequests;
                return response;
            }
            finally
            {
                connectionLimit.Release(throttled);
            }
        }
        finally
        {
            callerSlots?.Release();
        }
    }
}
