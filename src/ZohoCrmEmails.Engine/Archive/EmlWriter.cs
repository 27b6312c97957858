using System.Text;
using MimeKit;
using ZohoCrmEmails.Models;

namespace ZohoCrmEmails.Engine.Archive;

/// <summary>
/// One e-mail as an RFC 5322 message, built with MimeKit: From, To, Cc, Reply-To, Subject (encoded when not ASCII),
/// Date from the sent time, the body as text/html or text/plain (by mail_format) in UTF-8 (8-bit, or quoted-printable
/// for lines over 998 octets, so a text search finds its words), the attachments, the Zoho
/// ids in X-Zoho-* headers, and Message-ID when Zoho's id is an RFC 2822 one. Attachments are streamed into the
/// output, never held in memory.
/// </summary>
public static class EmlWriter
{
    public static async Task WriteAsync(ZcrmEmail email, IReadOnlyList<DownloadedAttachment> attachments, Stream output, CancellationToken ct)
    {
        var message = new MimeMessage();
        // Nothing from the machine that writes it: no Message-ID MimeKit would make up.
        message.Headers.Remove(HeaderId.MessageId);
        if (Mailbox(email.From) is { } from) message.From.Add(from);
        message.To.AddRange(email.To.Select(Mailbox).OfType<MailboxAddress>());
        message.Cc.AddRange(email.Cc.Select(Mailbox).OfType<MailboxAddress>());
        if (Mailbox(email.ReplyTo) is { } replyTo) message.ReplyTo.Add(replyTo);
        message.Subject = OneLine(email.Subject ?? "");
        if ((email.SentTime ?? email.Time) is { } date) message.Date = date;
        if (IsRfc2822Id(email.MessageId)) message.MessageId = email.MessageId[1..^1];
        AddHeader(message, "X-Zoho-Module", email.Module);
        AddHeader(message, "X-Zoho-Record-Id", email.RecordId);
        AddHeader(message, "X-Zoho-Message-Id", email.MessageId);
        AddHeader(message, "X-Zoho-Thread-Id", email.ThreadId);
        AddHeader(message, "X-Zoho-Owner-Id", email.Owner?.Id);

        var body = new TextPart(string.Equals(email.MailFormat, "html", StringComparison.OrdinalIgnoreCase) ? "html" : "plain");
        body.SetText(Encoding.UTF8, email.Content ?? "");
        // Text a search finds (Select-String, grep): 8-bit UTF-8 where every line fits RFC 5322's 998 octets, else
        // quoted-printable; never base64.
        body.ContentTransferEncoding = body.GetBestEncoding(EncodingConstraint.EightBit, 998);
        if (attachments.Count == 0)
        {
            message.Body = body;
        }
        else
        {
            var mixed = new Multipart("mixed") { body };
            foreach (var a in attachments)
                mixed.Add(new MimePart(ContentType.TryParse(a.ContentType ?? "", out var type) ? type : new ContentType("application", "octet-stream"))
                {
                    Content = new MimeContent(a.Content),
                    ContentDisposition = new ContentDisposition(ContentDisposition.Attachment),
                    ContentTransferEncoding = ContentEncoding.Base64,
                    FileName = OneLine(a.FileName),
                });
            message.Body = mixed;
        }
        await message.WriteToAsync(Format, output, ct).ConfigureAwait(false);
    }

    // RFC 5322 lines end in CRLF, whatever the machine that writes the file.
    private static readonly FormatOptions Format = new() { NewLineFormat = NewLineFormat.Dos };

    /// <summary>"&lt;local@domain&gt;": an id a mail client can thread by.</summary>
    public static bool IsRfc2822Id(string id) =>
        id.Length > 4 && id[0] == '<' && id[^1] == '>' && id.IndexOf('@') is > 1 and var at && at < id.Length - 2
        && !id[1..^1].Any(c => c is '<' or '>' or ' ' || char.IsControl(c));

    private static MailboxAddress? Mailbox(ZcrmEmailAddress? address) =>
        address is { Email: { Length: > 0 } email } ? new MailboxAddress(OneLine(address.Name ?? ""), OneLine(email)) : null;

    private static void AddHeader(MimeMessage message, string field, string? value)
    {
        if (!string.IsNullOrEmpty(value)) message.Headers.Add(field, OneLine(value));
    }

    // Header text from the sender: no line break may start a header of its own.
    private static string OneLine(string text) => text.Any(char.IsControl) ? string.Concat(text.Select(c => char.IsControl(c) ? ' ' : c)) : text;
}

/// <summary>An attachment of an e-mail being written: its name as sent, its type, and its bytes (read from the start).</summary>
public sealed record DownloadedAttachment(string FileName, string? ContentType, Stream Content);
