using System.Management.Automation;

namespace ZohoCrmEmails.Module;

/// <summary>Forgets (and disposes) the runspace's default connection.</summary>
[Cmdlet(VerbsCommunications.Disconnect, "Zcrm")]
[OutputType(typeof(void))]
public sealed class DisconnectZcrmCommand : PSCmdlet
{
    protected override void EndProcessing()
    {
        var connection = ZcrmSession.Remove();
        if (connection is null)
        {
            WriteVerbose("No default Zoho CRM connection in this runspace.");
            return;
        }
        connection.Dispose();
        WriteVerbose($"Disconnected from {connection}.");
    }
}
