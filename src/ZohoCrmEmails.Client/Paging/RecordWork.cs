using ZohoCrmEmails.Models;

namespace ZohoCrmEmails.Paging;

/// <summary>One unit of work for a data cmdlet: a record, and for a detail read one message of it.</summary>
public sealed record RecordRequest(string Module, string RecordId, string? MessageId = null)
{
    /// <summary>Bad input is refused here, before any request; the error names what is wrong.</summary>
    public void Validate(ZcrmEmailQuery? query = null)
    {
        InputValidator.Module(Module);
        InputValidator.RecordId(RecordId);
        if (MessageId is not null) InputValidator.MessageId(MessageId);
        InputValidator.Query(Module, query);
    }

    public override string ToString() => MessageId is null ? $"{Module}/{RecordId}" : $"{Module}/{RecordId}/{MessageId}";
}

/// <summary>The page sequences the data cmdlets fan out over, one per <see cref="RecordRequest"/>.</summary>
public static class RecordWork
{
    public static Func<RecordRequest, SemaphoreSlim, CancellationToken, IAsyncEnumerable<IReadOnlyList<ZcrmEmail>>> Emails(
        ZcrmConnection connection, ZcrmEmailQuery? query, bool includeContent) =>
        (r, gate, _) => connection.GetEmailPages(r.Module, r.RecordId, query, includeContent, gate);   // the fan-out passes its token to GetAsyncEnumerator

    public static Func<RecordRequest, SemaphoreSlim, CancellationToken, IAsyncEnumerable<IReadOnlyList<ZcrmEmail>>> Message(
        ZcrmConnection connection, string? ownerId) =>
        (r, gate, ct) => OneItem(() => connection.GetEmailAsync(r.Module, r.RecordId, r.MessageId!, ownerId, ct, gate));

    public static Func<RecordRequest, SemaphoreSlim, CancellationToken, IAsyncEnumerable<IReadOnlyList<ZcrmEmailSharing>>> Sharing(
        ZcrmConnection connection) =>
        (r, gate, ct) => OnePage(() => connection.GetSharingAsync(r.Module, r.RecordId, ct, gate));

    private static async IAsyncEnumerable<IReadOnlyList<T>> OneItem<T>(Func<Task<T>> read)
    {
        yield return [await read().ConfigureAwait(false)];
    }

    private static async IAsyncEnumerable<IReadOnlyList<T>> OnePage<T>(Func<Task<IReadOnlyList<T>>> read)
    {
        yield return await read().ConfigureAwait(false);
    }
}
