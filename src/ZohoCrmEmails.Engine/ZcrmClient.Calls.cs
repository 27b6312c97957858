using System.Runtime.CompilerServices;
using ZohoCrmEmails.Engine.FanOut;
using ZohoCrmEmails.Engine.Http;
using ZohoCrmEmails.Engine.Json;
using ZohoCrmEmails.Engine.Paging;
using ZohoCrmEmails.Models;

namespace ZohoCrmEmails.Engine;

// The calls: e-mail pages, one e-mail, sharing details, attachment downloads. Each validates its input before any
// request and goes through SendAsync (ZcrmClient.cs), where its errors are redacted.
public sealed partial class ZcrmClient
{
    /// <summary>One page of a record's e-mails; <paramref name="index"/> is the previous page's cursor. For tests: the cmdlets page through <see cref="GetEmailPages"/>.</summary>
    internal Task<ZcrmEmailPage> GetEmailPageAsync(string module, string recordId, ZcrmEmailQuery? query = null, string? index = null,
        ZcrmCallContext? context = null, CancellationToken ct = default)
    {
        InputValidator.EmailList(module, recordId, query);
        return ReadPageAsync(module, recordId, query, index, context ?? ZcrmCallContext.None, ct);
    }

    /// <summary>
    /// A record's e-mails, lazily: a page is requested only when the e-mail past the previous page is asked for.
    /// Bad input throws here, before any request. For tests and the engine bench; the cmdlets take pages.
    /// </summary>
    internal IAsyncEnumerable<ZcrmEmail> GetEmails(string module, string recordId, ZcrmEmailQuery? query = null, ZcrmCallContext? context = null)
    {
        InputValidator.EmailList(module, recordId, query);
        return Redacted(Flatten(Pages(module, recordId, query, context ?? ZcrmCallContext.None)));
    }

    /// <summary>
    /// A record's e-mails page by page, lazily (one request per page asked for); with <paramref name="includeContent"/>
    /// each e-mail is read in full. Bad input throws here, before any request.
    /// </summary>
    /// <param name="module">The record's module.</param>
    /// <param name="recordId">The record.</param>
    /// <param name="query">A type of e-mail, or one shared user's mailbox; null for the caller's own view.</param>
    /// <param name="includeContent">Each e-mail read in full, while the listing pages on.</param>
    /// <param name="context">The caller's cap and trace.</param>
    /// <param name="allMailboxes">
    /// Every mailbox the caller may see (<see cref="AllMailboxes"/>): the caller's listing, then one per user who shares
    /// theirs on the record. Not with a <paramref name="query"/>, which names one view.
    /// </param>
    public IAsyncEnumerable<IReadOnlyList<ZcrmEmail>> GetEmailPages(string module, string recordId, ZcrmEmailQuery? query = null,
        bool includeContent = false, ZcrmCallContext? context = null, bool allMailboxes = false)
    {
        InputValidator.EmailList(module, recordId, query);
        if (allMailboxes && query is not null)
            throw new ZcrmException(ZcrmErrorCodes.InvalidParameterCombination, ZcrmErrorKind.InvalidArgument,
                "Every mailbox of a record is the caller's listing and each shared user's: a type or owner names one of them.");
        var ctx = context ?? ZcrmCallContext.None;
        var pages = allMailboxes
            ? AllMailboxes.Pages(module, recordId,
                ownerId => Pages(module, recordId, ownerId is null ? null : new ZcrmEmailQuery(ZcrmEmailType.UserEmails, ownerId), ctx),
                ct => GetSharingAsync(module, recordId, ctx, ct))
            : Pages(module, recordId, query, ctx);
        // Bodies are read while the listing pages on, up to a window of e-mails ahead, each with its owner's id.
        // One e-mail that cannot be read is an ItemFailure in its place; the record's other e-mails still come.
        return Redacted(includeContent
            ? ReadAhead.Pages(pages, (e, ct) => ReadListedEmailAsync(e, query?.OwnerId, ctx, ct), ContentWindow, ConcernsOnlyItsItem)
            : pages);
    }

    // Errors leave the engine redacted, whichever call they come from: here for the page sequences, in SendAsync for
    // every request, in ConnectAsync and DownloadAttachmentAsync for what they check themselves.
    private async IAsyncEnumerable<T> Redacted<T>(IAsyncEnumerable<T> source, [EnumeratorCancellation] CancellationToken ct = default)
    {
        await using var e = source.GetAsyncEnumerator(ct);
        while (true)
        {
            bool more;
            try
            {
                more = await e.MoveNextAsync().ConfigureAwait(false);
            }
            catch (ZcrmException ex)
            {
                throw Redactor.Redact(ex);
            }
            if (!more) yield break;
            yield return e.Current;
        }
    }

    /// <summary>E-mails read in full ahead of the caller with -IncludeContent, at most: ten pages' worth.</summary>
    private const int ContentWindow = 100;

    /// <summary>One e-mail with its body and attachments. <paramref name="ownerId"/> reads a shared user's mail.</summary>
    public Task<ZcrmEmail> GetEmailAsync(string module, string recordId, string messageId, string? ownerId = null,
        ZcrmCallContext? context = null, CancellationToken ct = default)
    {
        InputValidator.Email(module, recordId, messageId, ownerId);
        return ReadEmailAsync(module, recordId, messageId, ownerId, context ?? ZcrmCallContext.None, ct);
    }

    /// <summary>Which users' mailboxes (and which kinds of e-mail) can be seen on a record.</summary>
    public Task<IReadOnlyList<ZcrmEmailSharing>> GetSharingAsync(string module, string recordId, ZcrmCallContext? context = null,
        CancellationToken ct = default)
    {
        InputValidator.Record(module, recordId);
        return SendAsync<IReadOnlyList<ZcrmEmailSharing>>($"/crm/{ApiVersion}/{module}/{recordId}/__emails_sharing_details", context ?? ZcrmCallContext.None,
            (response, body, request) =>
            {
                var list = ResponseParser.Sharing((int)response.StatusCode, body, module, recordId, request, _strings);
                return (list, list.Count);
            }, ct);
    }

    private Task<ZcrmEmailPage> ReadPageAsync(string module, string recordId, ZcrmEmailQuery? query, string? index,
        ZcrmCallContext context, CancellationToken ct)
    {
        var path = $"/crm/{ApiVersion}/{module}/{recordId}/Emails";
        var separator = '?';
        if (query?.Type is { } type) { path += $"{separator}type={type.ToWireName()}"; separator = '&'; }
        if (query?.OwnerId is { } owner) { path += $"{separator}owner_id={owner}"; separator = '&'; }
        // Cursors are opaque and may hold + = &: they travel encoded.
        if (index is not null) path += $"{separator}index={Uri.EscapeDataString(index)}";
        // A list page goes first at the connection's limit: its record's reads and downloads wait on the paging.
        return SendAsync(new RequestState(HttpMethod.Get, path, context) { GoesFirst = true }, (response, body, request) =>
        {
            var page = ResponseParser.EmailPage((int)response.StatusCode, body, module, recordId, request, _strings);
            return (page, page.Emails.Count);
        }, ct);
    }

    private static async IAsyncEnumerable<ZcrmEmail> Flatten(IAsyncEnumerable<IReadOnlyList<ZcrmEmail>> pages,
        [EnumeratorCancellation] CancellationToken ct = default)
    {
        await foreach (var page in pages.WithCancellation(ct).ConfigureAwait(false))
            foreach (var email in page)
                yield return email;
    }

    private IAsyncEnumerable<IReadOnlyList<ZcrmEmail>> Pages(string module, string recordId, ZcrmEmailQuery? query, ZcrmCallContext context) =>
        EmailCursor.Pages((index, ct) => ReadPageAsync(module, recordId, query, index, context, ct), module, recordId, ApiVersion);

    /// <summary>A failure that concerns one item of a listing (an e-mail, a mailbox), not the calls after it.</summary>
    internal static bool ConcernsOnlyItsItem(Exception ex) => ex is ZcrmException { EndsTheRun: false };

    // A listed e-mail without a usable id cannot be read: that fails it, as a failed read does (redacted here: the
    // id is the server's text).
    private async Task<ZcrmEmail> ReadListedEmailAsync(ZcrmEmail listed, string? ownerId, ZcrmCallContext context, CancellationToken ct)
    {
        try
        {
            InputValidator.MessageId(listed.MessageId);
        }
        catch (ZcrmException ex)
        {
            throw Redactor.Redact(ex);
        }
        return await ReadEmailAsync(listed.Module, listed.RecordId, listed.MessageId, OwnerIdOf(listed, ownerId), context, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// The owner's id to read a listed e-mail with: the one the listing gave (Zoho's one-e-mail call needs it for a
    /// shared user's mail), else <paramref name="fallback"/>. A listed id that is not digits is not sent.
    /// </summary>
    public static string? OwnerIdOf(ZcrmEmail email, string? fallback) =>
        email.Owner?.Id is { Length: > 0 } id && InputValidator.IsId(id) ? id : fallback;

    private Task<ZcrmEmail> ReadEmailAsync(string module, string recordId, string messageId, string? ownerId,
        ZcrmCallContext context, CancellationToken ct)
    {
        var path = $"/crm/{ApiVersion}/{module}/{recordId}/Emails/{Uri.EscapeDataString(messageId)}" + (ownerId is null ? "" : "?owner_id=" + ownerId);
        return SendAsync(path, context, (response, body, request) =>
            (ResponseParser.Email((int)response.StatusCode, body, module, recordId, messageId, request, _strings), 1L), ct);
    }

    /// <summary>
    /// Downloads one attachment into <paramref name="destination"/>, which is rewritten from its start for each attempt.
    /// The request timeout bounds a stall, not the whole file, and memory stays flat whatever its size. What arrives
    /// is checked against the size Zoho listed (<paramref name="expectedSize"/>): more or fewer bytes is
    /// Zcrm.AttachmentSizeMismatch. <paramref name="progress"/> gets the bytes written as they are (negative when an
    /// attempt starts over). <paramref name="ownerId"/> is the e-mail owner's id (owner.id, sent as Zoho's user_id); <paramref name="attachmentName"/>
    /// the attachment's name as listed.
    /// </summary>
    public async Task<DownloadResult> DownloadAttachmentAsync(string module, string recordId, string messageId, string? ownerId, string attachmentId,
        string? attachmentName, long? expectedSize, Stream destination, IProgress<long>? progress = null, ZcrmCallContext? context = null,
        CancellationToken ct = default)
    {
        InputValidator.Email(module, recordId, messageId, ownerId);
        InputValidator.AttachmentId(attachmentId);
        // Zoho's page marks message_id, user_id, id and name mandatory; the name travels exactly as listed, encoded.
        var path = $"/crm/{ApiVersion}/{module}/{recordId}/Emails/actions/download_attachments?message_id={Uri.EscapeDataString(messageId)}"
            + (ownerId is null ? "" : "&user_id=" + ownerId) + "&id=" + Uri.EscapeDataString(attachmentId)
            + "&name=" + Uri.EscapeDataString(attachmentName ?? "");
        var sink = new DownloadSink(destination, expectedSize, progress, RequestState.LineOf(HttpMethod.Get, path));
        // The body goes to the sink: nothing is left to parse.
        await SendAsync<object?>(new RequestState(HttpMethod.Get, path, context ?? ZcrmCallContext.None) { BodySink = sink.WriteAsync },
            (_, _, _) => (null, 0), ct).ConfigureAwait(false);
        try
        {
            if (sink.ReportedError() is { } error) throw error;
            sink.CheckLength(destination.Length);
        }
        catch (ZcrmException ex)
        {
            throw Redactor.Redact(ex);
        }
        return new DownloadResult(destination.Length, sink.FileName, sink.ContentType);
    }
}

/// <summary>What a download wrote, and what the server said of the file (Content-Disposition name, Content-Type).</summary>
public sealed record DownloadResult(long Bytes, string? FileName, string? ContentType);
