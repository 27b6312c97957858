using System.Management.Automation;

namespace ZohoCrmEmails.Module;

/// <summary>What the cmdlets that read records share: -Connection and -ThrottleLimit, and what they open.</summary>
public abstract class ZcrmDataCmdletBase : ZcrmCmdletBase
{
    [Parameter]
    [ValidateNotNull]
    public ZcrmConnection? Connection { get; set; }

    /// <summary>
    /// The most requests this command has on the wire at once, across records and within one (detail reads,
    /// downloads); also how many records (or e-mails) it works on at once. Unset: the connection's own limit
    /// (Connect-Zcrm -MaxConcurrentRequests, lowered after a 429), so defaults run as fast as Zoho allows.
    /// </summary>
    [Parameter]
    [ValidateRange(1, 25)]
    public int ThrottleLimit { get; set; }

    /// <summary>Inputs worked on at once: -ThrottleLimit, else the connection's ceiling. Set by <see cref="Open"/>.</summary>
    protected int Throttle { get; private set; }

    /// <summary>The connection to use (terminating Zcrm.NotConnected without one) and this invocation's call context.</summary>
    protected (ZcrmClient Client, ZcrmCallContext Context) Open()
    {
        var client = ResolveConnection(Connection);
        int? cap = MyInvocation.BoundParameters.ContainsKey(nameof(ThrottleLimit)) ? ThrottleLimit : null;
        Throttle = cap ?? client.MaxConcurrentRequests;
        return (client, CreateCallContext(cap));
    }
}
