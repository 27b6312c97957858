using System.Management.Automation;
using ZohoCrmEmails.Engine;
using ZohoCrmEmails.Engine.FanOut;
using ZohoCrmEmails.Engine.Paging;
using ZohoCrmEmails.Models;

namespace ZohoCrmEmails.Module;

/// <summary>Which users' mailboxes, and which kinds of e-mail, can be seen on CRM records.</summary>
[Cmdlet(VerbsCommon.Get, "ZcrmEmailSharing")]
[OutputType(typeof(ZcrmEmailSharing))]
public sealed class GetZcrmEmailSharingCommand : ZcrmRecordCmdletBase<ZcrmEmailSharing>
{
    protected override string Activity => "Reading Zoho CRM e-mail sharing";

    protected override PageSource<RecordRequest, ZcrmEmailSharing> CreateSource(ZcrmClient client, ZcrmCallContext context) =>
        RecordPages.Sharing(client, context);
}
