using System.Net;

namespace ZohoCrmEmails.Engine.Http;

/// <summary>
/// The one place requests wait for their turn on the wire. Two limits apply to each attempt, and only to the attempt
/// itself (never to token renewal or retry back-off, which sit outside this handler):
/// <list type="bullet">
/// <item>the caller's own cap (<see cref="ZcrmCallContext.MaxConcurrentRequests"/>), taken first so that a caller at
/// its cap does not hold a connection slot while it waits;</item>
/// <item>the connection's adaptive cap (<see cref="AdaptiveConcurrencyLimiter"/>), which learns from 429s about
/// concurrency what the org leaves free. What it says of each answer goes on the request's state for the retry
/// handler, and a change of the limit to the caller's trace.</item>
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
            var lease = await connectionLimit.AcquireAsync(cancellationToken, state.GoesFirst).ConfigureAwait(false);
            // Null: no answer, or one that says nothing about concurrency (a fault, a 429 about the day's credits).
            bool? answered = null;
            try
            {
                var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
                var status = (int)response.StatusCode;
                answered = ZohoLimits.IsConcurrencyRefusal(response) ? false
                    : status < 500 && response.StatusCode != HttpStatusCode.TooManyRequests ? true
                    : null;
                return response;
            }
            finally
            {
                var change = connectionLimit.Release(lease, answered);
                state.RefusedEverything = change.RefusesEverything;
                if (change is { Changed: true, Starting: false }) state.Context.Trace?.OnNotice(Describe(change, answered == false));
            }
        }
        finally
        {
            callerSlots?.Release();
        }
    }

    private static string Describe(AdaptiveConcurrencyLimiter.Change change, bool refused) => refused
        ? $"Zoho CRM refused a request because the org's calls at once are taken (429): this connection now sends at most " +
          $"{change.To} requests at once (was {change.From})."
        : $"Requests succeed: this connection now sends at most {change.To} requests at once (was {change.From}).";
}
