namespace ZohoCrmEmails.Engine.FanOut;

/// <summary>
/// An item produced for an input; the error that ended that input's work; an error about one item of it
/// (<see cref="Subject"/> names what failed, and the input's work goes on); or (<see cref="IsPending"/>) a sign of life
/// while the caller waits for the head, so it can show progress.
/// </summary>
public readonly record struct FanOutResult<TIn, TOut>(TIn Input, TOut? Item, Exception? Error, bool IsPending = false, object? Subject = null)
{
    public bool IsError => Error is not null;
}
