using ZohoCrmEmails.Engine.FanOut;

namespace ZohoCrmEmails.Tests;

/// <summary>The read-ahead of -IncludeContent in memory: order, a bounded window, failures in place, nothing left running.</summary>
public sealed class ReadAheadTests
{
    private static async IAsyncEnumerable<IReadOnlyList<int>> Numbered(int pages, int perPage, Action<int>? listed = null)
    {
        for (var p = 0; p < pages; p++)
        {
            await Task.Yield();
            listed?.Invoke(p);
            yield return Enumerable.Range(p * perPage, perPage).ToList();
        }
    }

    [Fact]
    public async Task Pages_come_out_in_order_with_every_call_done_and_the_window_bounded()
    {
        var started = 0;
        var taken = 0;
        var mostAhead = 0;
        async Task<int> Call(int n, CancellationToken ct)
        {
            var ahead = Interlocked.Increment(ref started) - Volatile.Read(ref taken);
            InterlockedMax(ref mostAhead, ahead);
            await Task.Delay(n % 7 == 0 ? 2 : 0, ct);   // calls end out of order
            return n * 2;
        }

        var all = new List<int>();
        await foreach (var page in ReadAhead.Pages(Numbered(60, 10), Call, 100).WithTimeout())
        {
            all.AddRange(page);
            Interlocked.Add(ref taken, page.Count);
            await Task.Yield();   // a caller busy with what it got: the read-ahead runs on meanwhile
        }

        Assert.Equal(Enumerable.Range(0, 600).Select(n => n * 2), all);
        Assert.InRange(mostAhead, 1, 100 + 10);   // the window, and the page being handed out
    }

    [Fact]
    public async Task A_failed_call_ends_the_pages_after_what_was_read_before_it_and_nothing_runs_on()
    {
        var running = 0;
        async Task<int> Call(int n, CancellationToken ct)
        {
            Interlocked.Increment(ref running);
            try
            {
                await Task.Yield();
                if (n == 25) throw new InvalidOperationException("read 25 failed");
                return n;
            }
            finally { Interlocked.Decrement(ref running); }
        }

        var seen = new List<int>();
        var ex = await Assert.ThrowsAsync<InvalidOperationException>(async () =>
        {
            await foreach (var page in ReadAhead.Pages(Numbered(10, 10), Call, 100).WithTimeout()) seen.AddRange(page);
        });

        Assert.Equal("read 25 failed", ex.Message);
        Assert.Equal(Enumerable.Range(0, 25), seen);   // what was read before it still came out
        Assert.Equal(0, Volatile.Read(ref running));
    }

    [Fact]
    public async Task A_call_that_fails_for_its_item_alone_leaves_its_failure_in_place_and_the_rest_come()
    {
        async Task<int> Call(int n, CancellationToken ct)
        {
            await Task.Yield();
            if (n % 10 == 3 || n == 29) throw new ArgumentException($"item {n}");
            return n;
        }

        var seen = new List<string>();
        await foreach (var page in ReadAhead.Pages(Numbered(3, 10), Call, 100, ex => ex is ArgumentException).WithTimeout())
            seen.AddRange(page is ItemFailure<int> f ? [$"failed {f.Subject}: {f.Error.Message}"] : page.Select(n => n.ToString()));

        var expected = Enumerable.Range(0, 30).Select(n => n % 10 == 3 || n == 29 ? $"failed {n}: item {n}" : n.ToString());
        Assert.Equal(expected, seen);
    }

    [Fact]
    public async Task A_failure_that_is_not_its_items_alone_still_ends_the_pages_and_nothing_runs_on()
    {
        var running = 0;
        async Task<int> Call(int n, CancellationToken ct)
        {
            Interlocked.Increment(ref running);
            try
            {
                await Task.Yield();
                if (n == 12) throw new ArgumentException("item 12");
                if (n == 15) throw new InvalidOperationException("the run ends at 15");
                return n;
            }
            finally { Interlocked.Decrement(ref running); }
        }

        var seen = new List<string>();
        var ex = await Assert.ThrowsAsync<InvalidOperationException>(async () =>
        {
            await foreach (var page in ReadAhead.Pages(Numbered(5, 10), Call, 100, e => e is ArgumentException).WithTimeout())
                seen.AddRange(page is ItemFailure<int> f ? [$"failed {f.Subject}"] : page.Select(n => n.ToString()));
        });

        Assert.Equal("the run ends at 15", ex.Message);
        Assert.Equal([.. Enumerable.Range(0, 12).Select(n => n.ToString()), "failed 12", "13", "14"], seen);
        Assert.Equal(0, Volatile.Read(ref running));
    }

    [Fact]
    public async Task A_caller_that_stops_in_the_first_page_lets_no_further_page_be_listed()
    {
        var listed = 0;
        var calls = 0;
        await foreach (var page in ReadAhead.Pages(Numbered(10, 10, _ => Interlocked.Increment(ref listed)),
                           (n, _) => { Interlocked.Increment(ref calls); return Task.FromResult(n); }, 100).WithTimeout())
        {
            Assert.Equal(10, page.Count);
            break;
        }

        Assert.Equal(1, listed);
        Assert.Equal(10, calls);
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int current;
        while (value > (current = Volatile.Read(ref target)) && Interlocked.CompareExchange(ref target, value, current) != current) { }
    }
}

internal static class AsyncEnumerableDeadline
{
    /// <summary>Fails the enumeration if it has not ended in 30 s: a hang is a failure, not a stuck run.</summary>
    public static async IAsyncEnumerable<T> WithTimeout<T>(this IAsyncEnumerable<T> source)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await using var e = source.GetAsyncEnumerator(deadline.Token);
        while (await e.MoveNextAsync().AsTask().WaitAsync(deadline.Token)) yield return e.Current;
    }
}
