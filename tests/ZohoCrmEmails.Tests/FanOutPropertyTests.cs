using System.Runtime.CompilerServices;
using ZohoCrmEmails.Engine.FanOut;

namespace ZohoCrmEmails.Tests;

/// <summary>
/// The fan-out against thousands of random shapes of work, in memory: inputs with any number of pages of any size
/// (zeros included), failures of an input and of one item within it, stops at random points, callers that read
/// everything or stop early. Every run
/// must end (each runs under a deadline), keep input order, lose and repeat nothing, and stay within its limits.
/// </summary>
public sealed class FanOutPropertyTests
{
    private const int Cases = 3000;
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Every_random_run_ends_in_order_with_nothing_lost_or_repeated()
    {
        // FANOUT_SEED=n runs case n alone, to reproduce a failure.
        var only = int.TryParse(Environment.GetEnvironmentVariable("FANOUT_SEED"), out var n) ? n : 0;
        for (var seed = only > 0 ? only : 1; seed <= (only > 0 ? only : Cases); seed++)
        {
            var run = Task.Run(() => RunCase(seed));
            var finished = await Task.WhenAny(run, Task.Delay(Deadline));
            Assert.True(finished == run, $"case {seed} did not end within {Deadline.TotalSeconds} s (a hang)");
            await run;   // rethrows what the case found, with its seed
        }
    }

    private sealed record Work(int Input, int[] PageSizes, int? FailsAtPage);

    /// <summary>What the sources did, shared across their worker threads.</summary>
    private sealed class Probe
    {
        public int Running;
        public int PeakRunning;
        public int[] NonEmptyFetched = [];
        public int[] Open = [];

        public void Enter()
        {
            var now = Interlocked.Increment(ref Running);
            int peak;
            while (now > (peak = Volatile.Read(ref PeakRunning)) && Interlocked.CompareExchange(ref PeakRunning, now, peak) != peak) { }
        }

        public void Leave() => Interlocked.Decrement(ref Running);
    }

    private static void RunCase(int seed)
    {
        var random = new Random(seed);
        var works = Enumerable.Range(0, random.Next(0, 12)).Select(i => new Work(i,
            // A page size of -1 is an item's failure in its place: the input's work goes on after it.
            Enumerable.Range(0, random.Next(0, 6)).Select(_ => random.Next(10) switch { < 3 => 0, 3 => -1, _ => random.Next(1, 6) }).ToArray(),
            random.Next(10) == 0 ? random.Next(0, 4) : null)).ToList();
        var throttle = random.Next(1, 5);
        var prefetch = random.Next(1, 4);
        // How the caller ends: reads all, stops after some items, or is stopped (Ctrl+C) after some items.
        var mode = random.Next(3);
        var stopAfter = random.Next(0, 20);
        var probe = new Probe { NonEmptyFetched = new int[works.Count], Open = new int[works.Count] };
        using var cts = new CancellationTokenSource();
        var fanOut = new OrderedFanOut<Work, (int Input, int Page, int Item)>(throttle, (w, ct) => Source(w, probe, ct), cts.Token, prefetch);

        var taken = new List<FanOutResult<Work, (int Input, int Page, int Item)>>();
        var startedPages = new HashSet<(int, int)>();
        var heldAfterAdd = new List<int>();
        var stopped = false;
        try
        {
            foreach (var work in works)
            {
                if (Take(fanOut.Add(work))) break;
                heldAfterAdd.Add(fanOut.Held);
            }
            if (!stopped) Take(fanOut.Complete());
        }
        catch (OperationCanceledException) when (mode == 2 && cts.IsCancellationRequested)
        {
            stopped = true;
        }
        finally
        {
            fanOut.Dispose();
        }

        bool Take(IEnumerable<FanOutResult<Work, (int Input, int Page, int Item)>> results)
        {
            foreach (var r in results)
            {
                if (r.IsPending) continue;
                taken.Add(r);
                if (!r.IsError) startedPages.Add((r.Item.Input, r.Item.Page));
                else if (r.Subject is ValueTuple<int, int> failedPage) startedPages.Add(failedPage);
                if (mode != 0 && taken.Count >= stopAfter)
                {
                    if (mode == 2) cts.Cancel();
                    else { stopped = true; return true; }
                }
            }
            return false;
        }

        var where = $"case {seed} (throttle {throttle}, prefetch {prefetch}, mode {mode}, stop after {stopAfter}): ";
        // Every worker has ended and closed its pages once Dispose returns.
        Assert.True(probe.Running == 0, where + "a source still runs after Dispose");
        Assert.True(probe.Open.All(o => o == 0), where + "a source was left open");
        Assert.True(probe.PeakRunning <= throttle + 1, where + $"{probe.PeakRunning} inputs fetched at once");
        Assert.True(heldAfterAdd.All(h => h <= throttle), where + "more inputs held than the throttle");

        // Order, nothing lost, nothing repeated: what was taken is a prefix of what a full read gives.
        var expected = Expected(works).ToList();
        Assert.True(taken.Count <= expected.Count, where + "more results than the work has");
        for (var i = 0; i < taken.Count; i++)
        {
            var (input, item, failed) = expected[i];
            Assert.True(taken[i].Input.Input == input && taken[i].IsError == failed && (failed || taken[i].Item == item)
                        && (!failed || (taken[i].Subject is null) == (item == default)),
                where + $"result {i} is {Describe(taken[i])}, expected input {input} {(failed ? "error" : item.ToString())}");
        }
        if (!stopped && mode == 0) Assert.True(taken.Count == expected.Count, where + $"{taken.Count} of {expected.Count} results");

        // Lazy: an input fetches no more non-empty pages than asked for (its prefetch, then two pages ahead of the caller).
        for (var i = 0; i < works.Count; i++)
        {
            var started = startedPages.Count(p => p.Item1 == i);
            Assert.True(probe.NonEmptyFetched[i] <= Math.Max(prefetch, 1) + started + 1,
                where + $"input {i} fetched {probe.NonEmptyFetched[i]} pages with {started} started");
        }
    }

    private static string Describe(FanOutResult<Work, (int Input, int Page, int Item)> r) =>
        r.IsError ? $"input {r.Input.Input} {(r.Subject is null ? "error" : "item error " + r.Subject)}" : $"input {r.Input.Input} {r.Item}";

    private static IEnumerable<(int Input, (int, int, int) Item, bool Failed)> Expected(List<Work> works)
    {
        foreach (var w in works)
        {
            for (var p = 0; p < w.PageSizes.Length; p++)
            {
                if (w.FailsAtPage == p)
                {
                    yield return (w.Input, default, true);
                    goto next;
                }
                if (w.PageSizes[p] < 0)
                    yield return (w.Input, (w.Input, p, -1), true);   // an item's failure: not the end
                for (var i = 0; i < w.PageSizes[p]; i++)
                    yield return (w.Input, (w.Input, p, i), false);
            }
            if (w.FailsAtPage is { } f && f >= w.PageSizes.Length)
                yield return (w.Input, default, true);
        next:;
        }
    }

    private static async IAsyncEnumerable<IReadOnlyList<(int Input, int Page, int Item)>> Source(Work w, Probe probe,
        [EnumeratorCancellation] CancellationToken ct)
    {
        probe.Enter();
        Interlocked.Increment(ref probe.Open[w.Input]);
        try
        {
            for (var p = 0; ; p++)
            {
                // A request's worth of asynchrony: other workers and the caller interleave here.
                await Task.Yield();
                ct.ThrowIfCancellationRequested();
                if (w.FailsAtPage == p || (p == w.PageSizes.Length && w.FailsAtPage is { } f && f >= p))
                    throw new InvalidOperationException($"input {w.Input} failed at page {p}");
                if (p == w.PageSizes.Length) yield break;
                if (w.PageSizes[p] != 0) Interlocked.Increment(ref probe.NonEmptyFetched[w.Input]);
                if (w.PageSizes[p] < 0)
                    yield return new ItemFailure<(int, int, int)>(new ArgumentException($"input {w.Input}: an item of page {p} failed"), (w.Input, p));
                else
                    yield return Enumerable.Range(0, w.PageSizes[p]).Select(i => (w.Input, p, i)).ToList();
            }
        }
        finally
        {
            Interlocked.Decrement(ref probe.Open[w.Input]);
            probe.Leave();
        }
    }
}
