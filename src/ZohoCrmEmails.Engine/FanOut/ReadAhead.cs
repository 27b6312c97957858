using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;

namespace ZohoCrmEmails.Engine.FanOut;

/// <summary>
/// Pages of items where each item needs a call of its own (an e-mail read in full), done while the pages keep coming:
/// the source is read ahead and the calls run concurrently (within the HTTP pipeline's caps), and the pages come out in
/// order, each once all its items are done; a call that fails for its item alone leaves an <see cref="ItemFailure{T}"/>
/// in that item's place. What is started ahead of the caller is bounded by a window of items, which
/// starts at one page and doubles with each page the caller comes back for after taking one, up to its maximum; the
/// next page is asked for only when the window has room for its first item. So memory is bounded, a caller that reads everything finds the listing
/// never waiting for the calls, and one that stops in the first page (Select-Object -First 3) started nothing past it.
/// </summary>
internal static class ReadAhead
{
    private const int FirstWindow = 10;

    /// <param name="source">The listing, page by page.</param>
    /// <param name="call">The call each listed item needs.</param>
    /// <param name="maxWindow">The most items started ahead of the caller.</param>
    /// <param name="failsOnlyItsItem">
    /// Which failures of a call concern its item alone: the item's place gets an <see cref="ItemFailure{T}"/> page and
    /// the items after it still come. Any other failure (or every one, when null) ends the pages there.
    /// </param>
    /// <param name="ct">Stops the listing and every call.</param>
    public static async IAsyncEnumerable<IReadOnlyList<TOut>> Pages<TIn, TOut>(IAsyncEnumerable<IReadOnlyList<TIn>> source,
        Func<TIn, CancellationToken, Task<TOut>> call, int maxWindow, Func<Exception, bool>? failsOnlyItsItem = null,
        [EnumeratorCancellation] CancellationToken ct = default)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var pages = new ConcurrentQueue<(IReadOnlyList<TIn> Items, Task<TOut>[] Calls)>();
        // Released once a page is queued and once the producer ends: the consumer waits for either. "Ended" is set
        // before that last release, so a consumer woken by it sees it; the task's own completion may come later.
        using var queued = new SemaphoreSlim(0);
        using var room = new SemaphoreSlim(FirstWindow);
        var ended = new StrongBox<bool>();
        var producer = Task.Run(() => ProduceAsync(source, call, pages, queued, room, ended, stop.Token), CancellationToken.None);
        var window = FirstWindow;
        // The page being handed out: a caller that stops within it leaves its calls to be waited for, not running.
        Task[] current = [];
        try
        {
            while (true)
            {
                if (pages.TryDequeue(out var page))
                {
                    current = page.Calls;
                    if (page.Items is ItemFailure<TIn> listed)
                    {
                        // The listing's own failure of one item (a mailbox that refused): passed on in its place.
                        yield return new ItemFailure<TOut>(listed.Error, listed.Subject);
                        continue;   // its place in the window was given back when it was listed
                    }
                    // In the listing's order: the items read, and in a failed item's place its failure (or, for a
                    // failure that is not the item's alone, the end, after the pages before it).
                    var done = new List<TOut>(page.Calls.Length);
                    for (var i = 0; i < page.Calls.Length; i++)
                    {
                        Exception failed;
                        try
                        {
                            done.Add(await page.Calls[i].ConfigureAwait(false));
                            continue;
                        }
                        catch (Exception ex)
                        {
                            failed = ex;
                        }
                        // What was read before it comes out either way; a stop, or a failure not the item's alone, ends here.
                        if (done.Count > 0) yield return done;
                        if (failsOnlyItsItem?.Invoke(failed) != true) ExceptionDispatchInfo.Throw(failed);
                        done = new List<TOut>(page.Calls.Length - i);
                        yield return new ItemFailure<TOut>(failed, page.Items[i]);
                    }
                    if (done.Count > 0) yield return done;
                    // Runs when the caller asks for the next page, not when it is handed this one: a caller that
                    // stops within this page has let nothing more start.
                    var grow = Math.Min(window, maxWindow - window);
                    window += grow;
                    room.Release(page.Calls.Length + grow);
                    continue;
                }
                if (Volatile.Read(ref ended.Value))
                {
                    if (!pages.IsEmpty) continue;   // queued before it ended
                    await producer.ConfigureAwait(false);   // the listing's own failure, after every page it gave
                    yield break;
                }
                await queued.WaitAsync(stop.Token).ConfigureAwait(false);
            }
        }
        finally
        {
            // Stopped early or failed: nothing started here is left running once the enumerator is disposed.
            stop.Cancel();
            await Task.WhenAll(pages.SelectMany(p => p.Calls).Concat(current).Append(producer)).ContinueWith(_ => { }, CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default).ConfigureAwait(false);
        }
    }

    private static async Task ProduceAsync<TIn, TOut>(IAsyncEnumerable<IReadOnlyList<TIn>> source, Func<TIn, CancellationToken, Task<TOut>> call,
        ConcurrentQueue<(IReadOnlyList<TIn> Items, Task<TOut>[] Calls)> pages, SemaphoreSlim queued, SemaphoreSlim room, StrongBox<bool> ended, CancellationToken ct)
    {
        var calls = new List<Task<TOut>>();
        try
        {
            await using var listing = source.GetAsyncEnumerator(ct);
            while (true)
            {
                // Room for the next page's first item before it is asked for: the listing is as lazy as the window.
                await room.WaitAsync(ct).ConfigureAwait(false);
                if (!await listing.MoveNextAsync().ConfigureAwait(false))
                    return;
                var page = listing.Current;
                calls.Clear();
                for (var i = 0; i < page.Count; i++)
                {
                    if (i > 0) await room.WaitAsync(ct).ConfigureAwait(false);
                    calls.Add(call(page[i], ct));
                }
                if (page.Count == 0) room.Release();
                pages.Enqueue((page, calls.ToArray()));
                calls.Clear();
                queued.Release();
            }
        }
        finally
        {
            // A page cut short by a stop: its calls are let finish (they are cancelled) before the producer ends.
            if (calls.Count > 0)
                await Task.WhenAll(calls).ContinueWith(_ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously,
                    TaskScheduler.Default).ConfigureAwait(false);
            Volatile.Write(ref ended.Value, true);
            queued.Release();
        }
    }
}
