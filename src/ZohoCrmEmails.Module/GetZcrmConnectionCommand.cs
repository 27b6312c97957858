using System.Management.Automation;

namespace ZohoCrmEmails.Module;

/// <summary>The runspace's default connection, as Connect-Zcrm made it: settings and state, no secret.</summary>
[Cmdlet(VerbsCommon.Get, "ZcrmConnection")]
[OutputType(typeof(ZcrmConnection))]
public sealed class GetZcrmConnectionCommand : PSCmdlet
{
    protected override void EndProcessing()
    {
        if (DefaultConnection.Get() is { } connection) WriteObject(connection);
        else WriteVerbose("Not connected: no default Zoho CRM connection in this runspace (Connect-Zcrm makes one).");
    }
}
