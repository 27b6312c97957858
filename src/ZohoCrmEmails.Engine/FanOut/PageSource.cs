using System.Collections;

namespace ZohoCrmEmails.Engine.FanOut;

/// <summary>The pages of one input's work, fetched lazily: a page is requested when the enumerator is advanced to it.</summary>
public delegate IAsyncEnumerable<IReadOnlyList<TItem>> PageSource<TInput, TItem>(TInput input, CancellationToken cancellationToken);

/// <summary>Page sequences of work that is one call.</summary>
public static class OnePage
{
    /// <summary>The one page one call returns.</summary>
    public static async IAsyncEnumerable<IReadOnlyList<T>> Of<T>(Func<Task<IReadOnlyList<T>>> read)
    {
        yield return await read().ConfigureAwait(false);
    }

    /// <summary>A page of the one item one call returns.</summary>
    public static async IAsyncEnumerable<IReadOnlyList<T>> OfItem<T>(Func<Task<T>> read)
    {
        yield return [await read().ConfigureAwait(false)];
    }
}

/// <summary>
/// A page that holds no item but says why one could not be had, while the input's work goes on after it (one listed
/// e-mail that could not be read, one mailbox that refused). The fan-out hands it out in its place in the input's
/// order, as a result with <see cref="FanOutResult{TIn,TOut}.Error"/> and <see cref="FanOutResult{TIn,TOut}.Subject"/>.
/// </summary>
public sealed class ItemFailure<T>(Exception error, object? subject) : IReadOnlyList<T>
{
    public Exception Error { get; } = error;
    /// <summary>What failed (the listed e-mail, the mailbox's user), for the caller to name.</summary>
    public object? Subject { get; } = subject;

    public int Count => 0;
    public T this[int index] => throw new ArgumentOutOfRangeException(nameof(index));
    public IEnumerator<T> GetEnumerator() => Enumerable.Empty<T>().GetEnumerator();
    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
