using System.Runtime.CompilerServices;
using ZohoCrmEmails.Engine.FanOut;
using ZohoCrmEmails.Models;

namespace ZohoCrmEmails.Engine.Paging;

/// <summary>
/// Every e-mail of a record the caller may see, page by page: the caller's own listing first, then the record's sharing
/// details (read once, after it), then one user_emails listing per shared user. A message found in two mailboxes comes
/// out once, from the first that had it; each e-mail of a shared mailbox is owned by that mailbox's user, so its detail
/// read and downloads carry that owner's id. A mailbox that refuses (an IMAP sync, no permission) is an
/// <see cref="ItemFailure{T}"/> naming it, and the other mailboxes still come; so are sharing details that cannot be read.
/// </summary>
internal static class AllMailboxes
{
    public delegate IAsyncEnumerable<IReadOnlyList<ZcrmEmail>> Listing(string? ownerId);

    public static async IAsyncEnumerable<IReadOnlyList<ZcrmEmail>> Pages(string module, string recordId, Listing list,
        Func<CancellationToken, Task<IReadOnlyList<ZcrmEmailSharing>>> sharing, [EnumeratorCancellation] CancellationToken ct = default)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var page in list(null).WithCancellation(ct).ConfigureAwait(false))
            if (New(page, seen, null) is { Count: > 0 } fresh) yield return fresh;

        IReadOnlyList<ZcrmEmailSharing>? details = null;
        ZcrmException? unreadable = null;
        try
        {
            details = await sharing(ct).ConfigureAwait(false);
        }
        catch (ZcrmException ex) when (!ex.EndsTheRun)
        {
            unreadable = ex;
        }
        if (unreadable is not null)
        {
            yield return new ItemFailure<ZcrmEmail>(new ZcrmException(unreadable.Code, unreadable.Kind,
                $"The record's sharing details could not be read, so the mailboxes shared with you were not: {unreadable.Message}",
                unreadable.HttpStatus, unreadable.Request, unreadable.Details), $"{module}/{recordId}, the mailboxes shared on it");
            yield break;
        }
        var users = details!.SelectMany(d => d.ShareFromUsers).Where(u => u.Id is { Length: > 0 } id && InputValidator.IsId(id))
            .DistinctBy(u => u.Id).ToList();
        foreach (var user in users)
        {
            var pages = list(user.Id).GetAsyncEnumerator(ct);
            try
            {
                while (true)
                {
                    IReadOnlyList<ZcrmEmail> page;
                    ZcrmException? refused = null;
                    try
                    {
                        if (!await pages.MoveNextAsync().ConfigureAwait(false)) break;
                        page = pages.Current;
                    }
                    catch (ZcrmException ex) when (!ex.EndsTheRun)
                    {
                        refused = ex;
                        page = [];
                    }
                    if (refused is not null)
                    {
                        yield return new ItemFailure<ZcrmEmail>(refused, new Mailbox(module, recordId, user));
                        break;
                    }
                    if (New(page, seen, user) is { Count: > 0 } fresh) yield return fresh;
                }
            }
            finally
            {
                await pages.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    // The e-mails of a page not seen in a mailbox before (an e-mail without a message id is never a repeat), each
    // owned by the mailbox's user when it came from a shared one.
    private static List<ZcrmEmail> New(IReadOnlyList<ZcrmEmail> page, HashSet<string> seen, ZcrmSharedUser? mailbox)
    {
        var fresh = new List<ZcrmEmail>(page.Count);
        foreach (var email in page)
        {
            if (email.MessageId.Length > 0 && !seen.Add(email.MessageId)) continue;
            if (mailbox is not null && email.Owner?.Id != mailbox.Id)
                email.Owner = new ZcrmUserRef { Id = mailbox.Id, Name = mailbox.Name };
            fresh.Add(email);
        }
        return fresh;
    }
}

/// <summary>A shared user's mailbox on a record: what a failure to read it names ("the mailbox of Will Grandon").</summary>
public sealed record Mailbox(string Module, string RecordId, ZcrmSharedUser User)
{
    public override string ToString() => $"{Module}/{RecordId}, the mailbox of {User.Name ?? "a user"} ({User.Id})";
}
