using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using ZohoCrmEmails.Engine.Http;
using ZohoCrmEmails.Models;

namespace ZohoCrmEmails.Engine.Json;

/// <summary>
/// Zoho's success bodies into models, or a <see cref="ZcrmException"/> that says what was wrong. Nothing is lost
/// silently: an error envelope sent with HTTP 200, a body without the expected key (an empty list is 204 or an empty
/// array, never a missing key), or a null where an item belongs, is an error, never "no e-mails".
/// </summary>
internal static class ResponseParser
{
    public static ZcrmEmailPage EmailPage(int status, BufferedBody body, string module, string recordId, string request, Utf8StringPool strings)
    {
        if (IsEmpty(status, body))
            return new ZcrmEmailPage([], null);
        var envelope = ReadEmails(body, status, request, strings);
        var emails = Emails(envelope, body, status, request, module, recordId);
        if (envelope.Info is { MoreRecords: true, NextIndex: null or "" })
            throw Invalid("Zoho CRM said more e-mails follow but sent no cursor for them.", status, request);
        return new ZcrmEmailPage(emails, envelope.Info);
    }

    public static ZcrmEmail Email(int status, BufferedBody body, string module, string recordId, string messageId, string request, Utf8StringPool strings)
    {
        var emails = IsEmpty(status, body)
            ? []
            : Emails(ReadEmails(body, status, request, strings), body, status, request, module, recordId);
        if (emails.Count == 0)
            throw new ZcrmException(ZcrmErrorCodes.EmailNotFound, ZcrmErrorKind.NotFound,
                $"Zoho CRM returned no e-mail for the message id '{SecretRedactor.Shorten(messageId)}' on {module}/{recordId}.", status, request);
        var email = emails[0];
        if (email.MessageId.Length == 0)
            email.MessageId = messageId;
        else if (!string.Equals(email.MessageId, messageId, StringComparison.Ordinal))
            throw Invalid($"Zoho CRM answered the message id '{SecretRedactor.Shorten(messageId)}' with another e-mail ('{email.MessageId}').", status, request);
        return email;
    }

    public static List<ZcrmEmailSharing> Sharing(int status, BufferedBody body, string module, string recordId, string request, Utf8StringPool strings)
    {
        if (IsEmpty(status, body))
            return [];
        var list = Read(() => SharingJson.Read(body.Span, strings), status, request);
        return Items(list, "__emails_sharing_details", "a sharing entry", Normalize, s => (s.Module, s.RecordId) = (module, recordId), body, status, request);
    }

    /// <summary>
    /// A page of records (Records API or COQL): 204, 304 and an empty body are no records; a 200 without "data" is the
    /// error it reports, or not Zoho's answer; a record without an id of digits is not one the module can use.
    /// </summary>
    public static ZcrmRecordPage RecordPage(int status, BufferedBody body, string module, string request)
    {
        if (status is 204 or 304 || body.Length == 0)
            return new ZcrmRecordPage([], new ZcrmRecordPageInfo());
        var envelope = Read(() => RecordJson.Read(body.Span, module), status, request);
        if (envelope.Data is null)
            throw Missing(Parse(body, ZcrmJsonContext.Default.ErrorEnvelope, status, request), "data", status, request);
        var records = new List<ZcrmRecord>(envelope.Data.Count);
        foreach (var record in envelope.Data)
        {
            if (record is null) throw Invalid("Zoho CRM sent a null where a record belongs.", status, request);
            if (!InputValidator.IsId(record.Id))
                throw Invalid($"Zoho CRM sent a record whose id '{SecretRedactor.Shorten(record.Id)}' is not digits.", status, request);
            records.Add(record);
        }
        return new ZcrmRecordPage(records, envelope.Info ?? new ZcrmRecordPageInfo());
    }

    /// <summary>actions/count: {"count": 2345} (a number or a string of digits).</summary>
    public static long Count(int status, BufferedBody body, string request)
    {
        if (status == 204 || body.Length == 0) return 0;
        long? count = null;
        Read(() =>
        {
            var reader = new Utf8JsonReader(body.Span);
            reader.Read();
            ZohoJsonReader.Expect(ref reader, JsonTokenType.StartObject, "the body");
            while (ZohoJsonReader.NextProperty(ref reader))
            {
                var isCount = reader.ValueTextEquals("count"u8);
                reader.Read();
                if (isCount) count = ZohoJsonReader.Count(ref reader);
                else reader.Skip();
            }
            return 0;
        }, status, request);
        return count ?? throw Missing(Parse(body, ZcrmJsonContext.Default.ErrorEnvelope, status, request), "count", status, request);
    }

    /// <summary>Deserializes a body, turning malformed JSON into Zcrm.InvalidResponse.</summary>
    public static T Parse<T>(BufferedBody body, JsonTypeInfo<T> type, int status, string request)
    {
        try
        {
            return JsonSerializer.Deserialize(body.Span, type) ?? throw new JsonException("The body is the JSON literal null.");
        }
        catch (JsonException ex)
        {
            // The reader's message names a position, never the body's text.
            throw Invalid($"Zoho CRM answered HTTP {status} with a body that is not the JSON expected: {ex.Message}", status, request);
        }
    }

    private static EmailJson.Envelope ReadEmails(BufferedBody body, int status, string request, Utf8StringPool strings) =>
        Read(() => EmailJson.Read(body.Span, strings), status, request);

    // A hand-written reader's JsonException is Zcrm.InvalidResponse; its message names a position, never the body's text.
    private static T Read<T>(Func<T> read, int status, string request)
    {
        try
        {
            return read();
        }
        catch (JsonException ex)
        {
            throw Invalid($"Zoho CRM answered HTTP {status} with a body that is not the JSON expected: {ex.Message}", status, request);
        }
    }

    private static List<ZcrmEmail> Emails(EmailJson.Envelope envelope, BufferedBody body, int status, string request, string module, string recordId) =>
        Items(envelope.Emails, "Emails", "an e-mail, address, status or attachment", Normalize, e => (e.Module, e.RecordId) = (module, recordId), body, status, request);

    /// <summary>
    /// A 200's list, each item normalised and given its record; a null item (or a null inside one) refuses the whole
    /// body. Without its list, the body is read once more, for the error it may be (rare, and small).
    /// </summary>
    private static List<T> Items<T>(List<T?>? items, string key, string what, Func<T, bool> normalize, Action<T> own,
        BufferedBody body, int status, string request) where T : class
    {
        if (items is null) throw Missing(Parse(body, ZcrmJsonContext.Default.ErrorEnvelope, status, request), key, status, request);
        var result = new List<T>(items.Count);
        foreach (var item in items)
        {
            if (item is null || !normalize(item))
                throw Invalid($"Zoho CRM sent a null where {what} belongs.", status, request);
            own(item);
            result.Add(item);
        }
        return result;
    }

    // A 200 without the data: an error envelope says which error; anything else is not Zoho's answer.
    private static ZcrmException Missing(ErrorEnvelope envelope, string key, int status, string request) =>
        envelope.ReportedError is { } error
            ? ZohoErrors.FromEnvelope(error, status, request)
            : Invalid($"Zoho CRM answered HTTP {status} without the '{key}' the call returns (an empty list is HTTP 204 or an empty array).", status, request);

    private static bool IsEmpty(int status, BufferedBody body) => status == 204 || body.Length == 0;

    private static ZcrmException Invalid(string message, int status, string request) =>
        new(ZcrmErrorCodes.InvalidResponse, ZcrmErrorKind.InvalidResponse, message, status, request);

    /// <summary>
    /// After parsing: what Zoho sent as null where a list or id belongs becomes empty. False when a list holds a null
    /// item, which is reported as an invalid response rather than guessed at.
    /// </summary>
    private static bool Normalize(ZcrmEmail e)
    {
        e.MessageId ??= "";
        e.To ??= [];
        e.Cc ??= [];
        e.Status ??= [];
        return !e.To.Contains(null!) && !e.Cc.Contains(null!) && !e.Status.Contains(null!) && e.Attachments?.Contains(null!) != true;
    }

    /// <summary>After parsing: null lists become empty; false when a list holds a null item.</summary>
    private static bool Normalize(ZcrmEmailSharing s)
    {
        s.AvailableTypes ??= [];
        s.ShareFromUsers ??= [];
        return !s.AvailableTypes.Contains(null!) && !s.ShareFromUsers.Contains(null!);
    }
}

/// <summary>One page of a record's e-mails.</summary>
public sealed record ZcrmEmailPage(IReadOnlyList<ZcrmEmail> Emails, ZcrmPageInfo? Info)
{
    public bool MoreRecords => Info?.MoreRecords == true;
    public string? NextIndex => Info?.NextIndex;
}

/// <summary>One page of records and what Zoho said about the next.</summary>
public sealed record ZcrmRecordPage(IReadOnlyList<ZcrmRecord> Records, ZcrmRecordPageInfo Info);
