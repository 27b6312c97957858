using System.Management.Automation;

namespace ZohoCrmEmails.Module;

/// <summary>What the cmdlets that read records share: -Connection and -ThrottleLimit, and what they open.</summary>
public abstract class ZcrmDataCmdletBase : ZcrmCmdletBase
{
    [Parameter]
    [ValidateNotNull]
    public ZcrmConnection? Connection { get; set; }

    /// <summary>Records (or e-mails) worked on at once, and this invocation's cap on requests at once.</summary>
    [Parameter]
    [ValidateRange(1, 25)]
    public int ThrottleLimit { get; set; } = 4;

    /// <summary>The connection to use (terminating Zcrm.NotConnected without one) and this invocation's call context.</summary>
    protected (ZcrmClient Client, ZcrmCallContext Context) Open() => (ResolveConnection(Connection), CreateCallContext(ThrottleLimit));
}
