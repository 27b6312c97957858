using ZohoCrmEmails.Engine.Http;
using Lease = ZohoCrmEmails.Engine.Http.AdaptiveConcurrencyLimiter.Lease;

namespace ZohoCrmEmails.Tests;

/// <summary>
/// The connection's limiter in memory, answer by answer: how it starts, what a 429 about concurrency does alone and
/// together, how it tries a slot more, when it gives up, and that its queue loses no one.
/// </summary>
public sealed class ConcurrencyLimiterTests
{
    /// <summary>Leases granted at once (the limiter has room), as many as asked; fails if one has to wait.</summary>
    private static List<Lease> Take(AdaptiveConcurrencyLimiter limiter, int count)
    {
        var leases = new List<Lease>();
        for (var i = 0; i < count; i++)
        {
            var pending = limiter.AcquireAsync(CancellationToken.None);
            Assert.True(pending.IsCompletedSuccessfully, $"lease {i + 1} of {count} had to wait (limit {limiter.CurrentLimit})");
            leases.Add(pending.Result);
        }
        return leases;
    }

    /// <summary>Rounds of successes, each as many requests as the limit lets on: the limiter climbs as it would.</summary>
    private static void Succeed(AdaptiveConcurrencyLimiter limiter, int rounds)
    {
        for (var r = 0; r < rounds; r++)
            foreach (var lease in Take(limiter, limiter.CurrentLimit))
                limiter.Release(lease, answered: true);
    }

    /// <summary>Out of the start at a limit of four: eight on the wire, one refused (together: halved), the rest answered.</summary>
    private static AdaptiveConcurrencyLimiter AtFour()
    {
        var limiter = new AdaptiveConcurrencyLimiter(25);
        Succeed(limiter, 1);
        var leases = Take(limiter, 8);
        limiter.Release(leases[0], answered: false);
        foreach (var lease in leases.Skip(1)) limiter.Release(lease, answered: true);
        Assert.Equal(4, limiter.CurrentLimit);
        return limiter;
    }

    [Fact]
    public void A_new_connection_starts_at_four_and_doubles_with_each_round_of_successes_up_to_its_ceiling()
    {
        var limiter = new AdaptiveConcurrencyLimiter(25);
        Assert.Equal(4, limiter.CurrentLimit);
        var seen = new List<int>();
        for (var r = 0; r < 4; r++)
        {
            Succeed(limiter, 1);
            seen.Add(limiter.CurrentLimit);
        }
        Assert.Equal([8, 16, 25, 25], seen);
        Assert.Equal(2, new AdaptiveConcurrencyLimiter(2).CurrentLimit);
    }

    [Fact]
    public void Refusals_together_halve_the_limit_once_for_the_round_and_refusals_of_that_round_say_nothing_more()
    {
        var limiter = new AdaptiveConcurrencyLimiter(25);
        Succeed(limiter, 2);   // 16
        var leases = Take(limiter, 16);

        var first = limiter.Release(leases[0], answered: false);
        foreach (var lease in leases.Skip(1)) limiter.Release(lease, answered: false);

        Assert.Equal(new AdaptiveConcurrencyLimiter.Change(16, 8, false, false), first);
        Assert.Equal(8, limiter.CurrentLimit);
        Assert.Equal(16, limiter.Throttled);
    }

    [Fact]
    public async Task A_lone_refusal_after_a_window_of_successes_costs_one_slot_and_the_next_try_past_it_waits_longer()
    {
        var limiter = AtFour();
        Succeed(limiter, 2);
        var lone = limiter.Release(Take(limiter, 1)[0], answered: false);
        Assert.Equal((4, 3), (lone.From, lone.To));

        // After a lone refusal, a try past the limit waits two rounds, not one.
        Assert.Equal(0, await ProbesAfter(limiter, rounds: 1));
        Assert.Equal(1, await ProbesAfter(limiter, rounds: 1));
    }

    /// <summary>Rounds of successes at the limit, then asks for one more than the limit: how many were let on past it.</summary>
    private static async Task<int> ProbesAfter(AdaptiveConcurrencyLimiter limiter, int rounds)
    {
        Succeed(limiter, rounds);
        var leases = Take(limiter, limiter.CurrentLimit);
        var extra = limiter.AcquireAsync(CancellationToken.None).AsTask();
        var letOnAtOnce = extra.IsCompletedSuccessfully;
        foreach (var lease in leases) limiter.Release(lease, answered: true);
        // Whatever was let on (now, or by those releases) goes back; a try past the limit as refused, so it stays.
        var granted = await extra.WaitAsync(TimeSpan.FromSeconds(5));
        limiter.Release(granted, answered: !granted.IsProbe);
        return letOnAtOnce && granted.IsProbe ? 1 : 0;
    }

    [Fact]
    public async Task One_request_at_a_time_tries_a_slot_past_the_limit_and_raises_it_only_when_answered()
    {
        var limiter = AtFour();
        Succeed(limiter, 1);   // a round at the limit: a try is due

        var atLimit = Take(limiter, 4);
        var probe = limiter.AcquireAsync(CancellationToken.None);
        var next = limiter.AcquireAsync(CancellationToken.None).AsTask();
        Assert.True(probe.IsCompletedSuccessfully);
        var tried = await probe;
        Assert.True(tried.IsProbe);
        Assert.False(next.IsCompleted);   // one try at a time
        Assert.Equal(4, limiter.CurrentLimit);

        limiter.Release(tried, answered: true);
        Assert.Equal(5, limiter.CurrentLimit);
        var nextLease = await next.WaitAsync(TimeSpan.FromSeconds(5));   // the slot more is the next waiter's
        Assert.False(nextLease.IsProbe);
        foreach (var lease in atLimit.Append(nextLease)) limiter.Release(lease, answered: true);
    }

    [Fact]
    public async Task A_refused_try_past_the_limit_does_not_lower_it()
    {
        var limiter = AtFour();
        Succeed(limiter, 1);
        var atLimit = Take(limiter, 4);
        var probe = await limiter.AcquireAsync(CancellationToken.None).AsTask().WaitAsync(TimeSpan.FromSeconds(5));
        Assert.True(probe.IsProbe);

        var change = limiter.Release(probe, answered: false);

        Assert.False(change.Changed);
        Assert.Equal(4, limiter.CurrentLimit);
        foreach (var lease in atLimit) limiter.Release(lease, answered: true);
    }

    [Fact]
    public void Refused_one_at_a_time_again_and_again_the_server_refuses_everything()
    {
        var limiter = new AdaptiveConcurrencyLimiter(25);
        var verdicts = new List<(int Limit, bool RefusesEverything)>();
        for (var i = 0; i < 7; i++)
        {
            var change = limiter.Release(Take(limiter, 1)[0], answered: false);
            verdicts.Add((change.To, change.RefusesEverything));
        }
        // Alone on the wire and refused: one at a time at once; from the fifth refusal in a row (a burst of 429s is
        // shorter), everything is refused.
        Assert.Equal(5, AdaptiveConcurrencyLimiter.RefusalsAtOneToGiveUp);
        Assert.Equal([(1, false), (1, false), (1, false), (1, false), (1, true), (1, true), (1, true)], verdicts);

        // A success in between starts the count again.
        limiter.Release(Take(limiter, 1)[0], answered: true);
        Assert.False(limiter.Release(Take(limiter, 1)[0], answered: false).RefusesEverything);
    }

    [Fact]
    public void Answers_that_say_nothing_about_concurrency_leave_the_limit_alone()
    {
        var limiter = new AdaptiveConcurrencyLimiter(25);
        foreach (var lease in Take(limiter, 4)) Assert.False(limiter.Release(lease, answered: null).Changed);
        Assert.Equal(4, limiter.CurrentLimit);
        Assert.Equal(0, limiter.Throttled);
    }

    [Fact]
    public async Task Waiters_are_let_on_in_order_list_pages_first_and_a_cancelled_one_leaves_the_queue()
    {
        var limiter = new AdaptiveConcurrencyLimiter(1);
        var held = Take(limiter, 1)[0];
        using var cancel = new CancellationTokenSource();
        var order = new List<string>();
        async Task Wait(string name, bool first = false, CancellationToken ct = default)
        {
            var lease = await limiter.AcquireAsync(ct, first);
            lock (order) order.Add(name);
            limiter.Release(lease, answered: true);
        }

        var detail1 = Wait("detail 1");
        var cancelled = Wait("cancelled", ct: cancel.Token);
        var detail2 = Wait("detail 2");
        var page = Wait("page", first: true);
        cancel.Cancel();
        limiter.Release(held, answered: true);

        await Task.WhenAll(detail1, detail2, page).WaitAsync(TimeSpan.FromSeconds(10));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
        Assert.Equal(["page", "detail 1", "detail 2"], order);
    }
}
