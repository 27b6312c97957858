using ZohoCrmEmails.Models;

namespace ZohoCrmEmails.Paging;

/// <summary>One unit of work for a data cmdlet: a record, and for a detail read one message of it.</summary>
public sealed record RecordRequest(string Module, string RecordId, string? MessageId = null)
{
    /// <summary>Bad input is refused here, before any request; the error names what is wrong.</summary>
    public void Validate(ZcrmEmailQuery? query = null)
    {
        if (MessageId is null)
        {
            InputValidator.EmailList(Module, RecordId, query);
            return;
        }
        InputValidator.Email(Module, RecordId, MessageId, query?.OwnerId);
        if (query?.Type is not null)
            throw new ZcrmException(ZcrmErrorCodes.InvalidParameterCombination, ZcrmErrorKind.InvalidArgument,
                "A message id reads one e-mail in full; the type filter applies only to listing a record's e-mails.");
    }

    public override string ToString() => MessageId is null ? $"{Module}/{RecordId}" : $"{Module}/{RecordId}/{MessageId}";
}

/// <summary>The page sequences the data cmdlets fan out over, one per <see cref="RecordRequest"/>.</summary>
public static class RecordWork
{
    /// <summary>A record's e-mails page by page, or, for a request with a message id, that one e-mail read in full.</summary>
    public static Func<RecordRequest, SemaphoreSlim, CancellationToken, IAsyncEnumerable<IReadOnlyList<ZcrmEmail>>> Emails(
        ZcrmConnection connection, ZcrmEmailQuery? query, bool includeContent) =>
        (r, gate, ct) => r.MessageId is null
            ? connection.GetEmailPages(r.Module, r.RecordId, query, includeContent, gate)   // the fan-out passes its token to GetAsyncEnumerator
            : OneItem(() => connection.GetEmailAsync(r.Module, r.RecordId, r.MessageId, query?.OwnerId, ct, gate));

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
