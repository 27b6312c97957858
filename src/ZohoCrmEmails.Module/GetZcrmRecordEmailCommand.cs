using System.Management.Automation;
using ZohoCrmEmails.Models;
using ZohoCrmEmails.Paging;

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

    /// <summary>Given (or bound from a piped e-mail): read those e-mails in full instead of listing.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [AllowEmptyString]
    public string[]? MessageId { get; set; }

    protected override string Activity => "Reading Zoho CRM e-mails";

    private ZcrmEmailQuery? Query => Type is null && OwnerId is null ? null : new ZcrmEmailQuery(Type, OwnerId);

    protected override Func<RecordRequest, SemaphoreSlim, CancellationToken, IAsyncEnumerable<IReadOnlyList<ZcrmEmail>>> CreateWork(ZcrmConnection connection) =>
        RecordWork.Emails(connection, Query, IncludeContent);

    protected override IEnumerable<RecordRequest> CurrentRequests() =>
        MessageId is { Length: > 0 } messageIds
            ? RecordId.SelectMany(id => messageIds.Select(m => new RecordRequest(Module, id, m)))
            : base.CurrentRequests();

    protected override void Validate(RecordRequest request) => request.Validate(Query);

    protected override object Emit(ZcrmEmail item)
    {
        if (!item.HasContent) return item;
        // A read e-mail gets its own view (a list with the body), chosen by type name.
        var wrapped = PSObject.AsPSObject(item);
        wrapped.TypeNames.Insert(0, DetailTypeName);
        return wrapped;
    }
}

/// <summary>Which users' mailboxes, and which kinds of e-mail, can be seen on CRM records.</summary>
[Cmdlet(VerbsCommon.Get, "ZcrmEmailSharing")]
[OutputType(typeof(ZcrmEmailSharing))]
public sealed class GetZcrmEmailSharingCommand : ZcrmRecordCmdletBase<ZcrmEmailSharing>
{
    protected override string Activity => "Reading Zoho CRM e-mail sharing";

    protected override Func<RecordRequest, SemaphoreSlim, CancellationToken, IAsyncEnumerable<IReadOnlyList<ZcrmEmailSharing>>> CreateWork(ZcrmConnection connection) =>
        RecordWork.Sharing(connection);
}
