namespace ZohoCrmEmails.Engine.FanOut;

/// <summary>Page sequences of work that is one call.</summary>
public static class Pages
{
    /// <summary>The one page one call returns.</summary>
    public static async IAsyncEnumerable<IReadOnlyList<T>> One<T>(Func<Task<IReadOnlyList<T>>> read)
    {
        yield return await read().ConfigureAwait(false);
    }

    /// <summary>A page of the one item one call returns.</summary>
    public static async IAsyncEnumerable<IReadOnlyList<T>> OneItem<T>(Func<Task<T>> read)
    {
        yield return [await read().ConfigureAwait(false)];
    }
}
