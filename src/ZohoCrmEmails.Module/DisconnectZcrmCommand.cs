using System.Management.Automation;

namespace ZohoCrmEmails.Module;

/// <summary>Closes a connection: the runspace's default, or the one given.</summary>
[Cmdlet(VerbsCommunications.Disconnect, "Zcrm")]
[OutputType(typeof(void))]
public sealed class DisconnectZcrmCommand : PSCmdlet
{
    /// <summary>The connection to close (from Connect-Zcrm -PassThru); by default the runspace's.</summary>
    [Parameter(Position = 0, ValueFromPipeline = true)]
    [ValidateNotNull]
    public ZcrmConnection? Connection { get; set; }

    protected override void ProcessRecord()
    {
        // Closing the default also forgets it; closing another leaves the default as it is.
        var connection = Connection is null ? DefaultConnection.Remove() : DefaultConnection.Remove(Connection) ?? Connection;
        if (connection is null)
        {
            WriteVerbose("No default Zoho CRM connection in this runspace.");
            return;
        }
        if (connection.State is IDisposable engine) engine.Dispose();
        WriteVerbose($"Disconnected from {connection}.");
    }
}
