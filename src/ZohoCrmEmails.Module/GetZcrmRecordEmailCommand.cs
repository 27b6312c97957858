using System.Management.Automation;
using ZohoCrmEmails.Engine;
using ZohoCrmEmails.Engine.FanOut;
using ZohoCrmEmails.Engine.Paging;
using ZohoCrmEmails.Models;

namespace ZohoCrmEmails.Module;

/// <summary>Lists the e-mails of CRM records, or reads single e-mails with their bodies.</summary>
// One parameter set on purpose: with a separate "detail" set, PowerShell binds piped e-mails to the default set and
// never to -MessageId, so list | Get-ZcrmRecordEmail would list again instead of reading each e-mail.
[Cmdlet(VerbsCommon.Get, "ZcrmRecordEmail")]
[OutputType(typeof(ZcrmEmail))]
public sealed class GetZcrmRecordEmailCommand : ZcrmRecordCmdletBase<ZcrmEmail>
{
    internal const string DetailTypeName = "ZohoCrmEmails.Models.ZcrmEmail#Detail";

    [Parameter]
    public ZcrmEmailType? Type { get; set; }

    [Parameter]
    public string? OwnerId { get; set; }

    [Parameter]
    public SwitchParameter IncludeContent { get; set; }

    /// <summary>Every mailbox you may see on the record: your own listing, then each user's who shares theirs with you.</summary>
    [Parameter]
    public SwitchParameter AllMailboxes { get; set; }

    /// <summary>Given (or bound from a piped e-mail): read those e-mails in full instead of listing.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [AllowEmptyString]
    public string[]? MessageId { get; set; }

    protected override string Activity => "Reading Zoho CRM e-mails";

    private ZcrmEmailQuery? Query => Type is null && OwnerId is null ? null : new ZcrmEmailQuery(Type, OwnerId);

    protected override PageSource<RecordRequest, ZcrmEmail> CreateSource(ZcrmClient client, ZcrmCallContext context) =>
        RecordPages.Emails(client, Query, IncludeContent, context, AllMailboxes);

    protected override IEnumerable<RecordRequest> CurrentRequests() =>
        MessageId is { Length: > 0 } messageIds
            ? CurrentRecordIds().SelectMany(id => messageIds.Select(m => new RecordRequest(Module, id, m)))
            : base.CurrentRequests();

    protected override void CheckParameters(RecordRequest request)
    {
        if (request.MessageId is not null && Type is not null)
            throw new ZcrmException(ZcrmErrorCodes.InvalidParameterCombination, ZcrmErrorKind.InvalidArgument,
                "-MessageId reads one e-mail in full; -Type filters only the listing of a record's e-mails.");
        if (AllMailboxes && (request.MessageId is not null || Type is not null || OwnerId is not null))
            throw new ZcrmException(ZcrmErrorCodes.InvalidParameterCombination, ZcrmErrorKind.InvalidArgument,
                "-AllMailboxes lists every mailbox of a record (yours, then each shared user's): -Type, -OwnerId and -MessageId name one view or one e-mail.");
    }

    // A failed read of one e-mail names that e-mail; a failed listing names the record.
    protected override object ErrorTarget(RecordRequest request) => request.MessageId ?? request.RecordId;

    protected override object Output(ZcrmEmail item)
    {
        if (!item.HasContent) return item;
        // A read e-mail gets its own view (a list with the body), chosen by type name.
        var wrapped = PSObject.AsPSObject(item);
        wrapped.TypeNames.Insert(0, DetailTypeName);
        return wrapped;
    }
}
