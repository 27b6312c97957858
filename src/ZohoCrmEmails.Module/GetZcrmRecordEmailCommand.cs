using System.Management.Automation;
using ZohoCrmEmails.Models;
using ZohoCrmEmails.Paging;

namespace ZohoCrmEmails.Module;

/// <summary>Lists the e-mails of CRM records, or reads single e-mails with their bodies.</summary>
[Cmdlet(VerbsCommon.Get, "ZcrmRecordEmail", DefaultParameterSetName = ListSet)]
[OutputType(typeof(ZcrmEmail))]
public sealed class GetZcrmRecordEmailCommand : ZcrmRecordCmdletBase<ZcrmEmail>
{
    private const string ListSet = "List";
    private const string DetailSet = "Detail";
    internal const string DetailTypeName = "ZohoCrmEmails.Models.ZcrmEmail#Detail";

    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("ModuleApiName")]
    [AllowEmptyString]
    [ArgumentCompleter(typeof(ModuleNameCompleter))]
    public string Module { get; set; } = "";

    [Parameter(Mandatory = true, Position = 1, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("Id")]
    [AllowEmptyString]
    public string[] RecordId { get; set; } = [];

    [Parameter(ParameterSetName = ListSet)]
    public ZcrmEmailType? Type { get; set; }

    [Parameter]
    public string? OwnerId { get; set; }

    [Parameter(ParameterSetName = ListSet)]
    public SwitchParameter IncludeContent { get; set; }

    [Parameter(Mandatory = true, ParameterSetName = DetailSet, ValueFromPipelineByPropertyName = true)]
    [AllowEmptyString]
    public string[] MessageId { get; set; } = [];

    protected override string Activity => "Reading Zoho CRM e-mails";

    private bool IsDetail => ParameterSetName == DetailSet;

    private ZcrmEmailQuery? Query => Type is null && OwnerId is null ? null : new ZcrmEmailQuery(Type, OwnerId);

    protected override Func<RecordRequest, SemaphoreSlim, CancellationToken, IAsyncEnumerable<IReadOnlyList<ZcrmEmail>>> CreateWork(ZcrmConnection connection) =>
        IsDetail ? RecordWork.Message(connection, OwnerId) : RecordWork.Emails(connection, Query, IncludeContent);

    protected override IEnumerable<RecordRequest> CurrentRequests() =>
        IsDetail
            ? RecordId.SelectMany(id => MessageId.Select(m => new RecordRequest(Module, id, m)))
            : RecordId.Select(id => new RecordRequest(Module, id));

    protected override void Validate(RecordRequest request)
    {
        request.Validate(IsDetail ? null : Query);
        if (IsDetail) InputValidator.OwnerId(OwnerId);
    }

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
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("ModuleApiName")]
    [AllowEmptyString]
    [ArgumentCompleter(typeof(ModuleNameCompleter))]
    public string Module { get; set; } = "";

    [Parameter(Mandatory = true, Position = 1, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("Id")]
    [AllowEmptyString]
    public string[] RecordId { get; set; } = [];

    protected override string Activity => "Reading Zoho CRM e-mail sharing";

    protected override Func<RecordRequest, SemaphoreSlim, CancellationToken, IAsyncEnumerable<IReadOnlyList<ZcrmEmailSharing>>> CreateWork(ZcrmConnection connection) =>
        RecordWork.Sharing(connection);

    protected override IEnumerable<RecordRequest> CurrentRequests() => RecordId.Select(id => new RecordRequest(Module, id));
}
