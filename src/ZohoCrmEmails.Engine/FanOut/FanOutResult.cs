using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;

namespace ZohoCrmEmails.Engine.FanOut;

/// <summary>
/// An item produced for an input, the error that ended that input's work, or (<see cref="IsPending"/>) a sign of life
/// while the caller waits for the head, so it can show progress.
/// </summary>
public readonly record struct FanOutResult<TIn, TOut>(TIn Input, TOut? Item, Exception? Error, bool IsPending = false)
{
    public bool IsError => Error is not null;
}
