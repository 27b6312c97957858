using System.Runtime.CompilerServices;
using ZohoCrmEmails.Engine.Json;
using ZohoCrmEmails.Models;

namespace ZohoCrmEmails.Engine.Paging;

/// <summary>
/// A record's e-mails page by page, following Zoho's cursor (<c>next_index</c> while <c>more_records</c>): lazily, one
/// request per page asked for. A server that ignores the cursor, or sends empty pages that say more follow forever,
/// ends the sequence with an error instead of a loop.
/// </summary>
internal static class EmailCursor
{
    // A hostile server can answer "more records" with empty pages and fresh cursors forever.
    private const int MaxEmptyPagesInARow = 10;

    /// <summary>The pages of <paramref name="module"/>/<paramref name="recordId"/>, each read by <paramref name="readPage"/>
    /// with the cursor the page before gave (null: the first page); errors name the request as it went out under
    /// <paramref name="apiVersion"/> (the cursor is the server's text: the caller redacts); <paramref name="ct"/> stops the reading.</summary>
    public static async IAsyncEnumerable<IReadOnlyList<ZcrmEmail>> Pages(Func<string?, CancellationToken, Task<ZcrmEmailPage>> readPage,
        string module, string recordId, string apiVersion, [EnumeratorCancellation] CancellationToken ct = default)
    {
        var cursorsSeen = new HashSet<string>(StringComparer.Ordinal);
        string? index = null;
        long returned = 0;
        var emptyInARow = 0;
        while (true)
        {
            var page = await readPage(index, ct).ConfigureAwait(false);
            var next = page.MoreRecords ? page.NextIndex : null;
            // Checked before the page is handed out: a server that ignores the cursor sends the same page again.
            if (next is not null && !cursorsSeen.Add(next))
                throw new ZcrmException(ZcrmErrorCodes.RepeatingCursor, ZcrmErrorKind.InvalidResponse,
                    $"Zoho CRM sent a cursor for {module}/{recordId} that it had sent before; stopped rather than loop or repeat e-mails. " +
                    $"The {returned} e-mails before that page were returned.",
                    200, $"GET /crm/{apiVersion}/{module}/{recordId}/Emails?index={Uri.EscapeDataString(next)}");
            if (page.Emails.Count > 0)
            {
                emptyInARow = 0;
                returned += page.Emails.Count;
                yield return page.Emails;
            }
            else if (next is not null && ++emptyInARow > MaxEmptyPagesInARow)
            {
                throw new ZcrmException(ZcrmErrorCodes.InvalidResponse, ZcrmErrorKind.InvalidResponse,
                    $"Zoho CRM sent {MaxEmptyPagesInARow} empty pages in a row for {module}/{recordId}, each saying more follow; stopped. " +
                    $"The {returned} e-mails before them were returned.", 200, $"GET /crm/{apiVersion}/{module}/{recordId}/Emails");
            }
            if (next is null)
                yield break;
            index = next;
        }
    }
}
