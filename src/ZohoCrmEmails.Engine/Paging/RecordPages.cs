using ZohoCrmEmails.Engine.FanOut;
using ZohoCrmEmails.Models;

namespace ZohoCrmEmails.Engine.Paging;

/// <summary>One unit of work for a data cmdlet: a record, and for a detail read one message of it.</summary>
public sealed record RecordRequest(string Module, string RecordId, string? MessageId = null)
{
    /// <summary>"Deals/4150868000001234001", or the e-mail's one text form (<see cref="EmailId"/>).</summary>
    public override string ToString() => MessageId is null ? $"{Module}/{RecordId}" : new EmailId(Module, RecordId, MessageId).ToString();
}

/// <summary>The page sequences the data cmdlets fan out over, one per <see cref="RecordRequest"/>.</summary>
public static class RecordPages
{
    /// <summary>A record's e-mails page by page, or, for a request with a message id, that one e-mail read in full.</summary>
    /// <param name="client">The connection.</param>
    /// <param name="query">A type of e-mail or one shared user's mailbox; null for the caller's own view.</param>
    /// <param name="includeContent">Each listed e-mail read in full.</param>
    /// <param name="context">The caller's cap and trace.</param>
    /// <param name="allMailboxes">Every mailbox the caller may see: its own listing, then each shared user's.</param>
    public static PageSource<RecordRequest, ZcrmEmail> Emails(ZcrmClient client, ZcrmEmailQuery? query, bool includeContent, ZcrmCallContext context,
        bool allMailboxes = false) =>
        (r, ct) => r.MessageId is null
            ? client.GetEmailPages(r.Module, r.RecordId, query, includeContent, context, allMailboxes)   // the fan-out passes ct to GetAsyncEnumerator
            : OnePage.OfItem(() => client.GetEmailAsync(r.Module, r.RecordId, r.MessageId, query?.OwnerId, context, ct));

    public static PageSource<RecordRequest, ZcrmEmailSharing> Sharing(ZcrmClient client, ZcrmCallContext context) =>
        (r, ct) => OnePage.Of(() => client.GetSharingAsync(r.Module, r.RecordId, context, ct));
}
