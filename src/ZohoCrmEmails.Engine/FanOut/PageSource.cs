namespace ZohoCrmEmails.Engine.FanOut;

/// <summary>The pages of one input's work, fetched lazily: a page is requested when the enumerator is advanced to it.</summary>
public delegate IAsyncEnumerable<IReadOnlyList<TItem>> PageSource<TInput, TItem>(TInput input, CancellationToken cancellationToken);
