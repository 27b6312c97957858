using System.Management.Automation;
using System.Reflection;

namespace ZohoCrmEmails.Module.Tests;

/// <summary>
/// Does what Select-Object -First does once it has enough (Select-Object lives in Microsoft.PowerShell.Commands.Utility,
/// which has no NuGet package here): throws the engine's internal StopUpstreamCommandsException, which stops the
/// commands upstream without StopProcessing and without their EndProcessing, and lets the rest of the pipeline finish.
/// </summary>
[Cmdlet("Select", "FirstForTest")]
public sealed class SelectFirstForTestCommand : PSCmdlet
{
    private static readonly Type StopUpstream =
        typeof(PSCmdlet).Assembly.GetType("System.Management.Automation.StopUpstreamCommandsException", throwOnError: true)!;

    private int _seen;

    [Parameter(ValueFromPipeline = true)]
    public PSObject? InputObject { get; set; }

    [Parameter(Mandatory = true, Position = 0)]
    public int First { get; set; }

    protected override void ProcessRecord()
    {
        WriteObject(InputObject);
        if (++_seen == First)
            throw (Exception)Activator.CreateInstance(StopUpstream, BindingFlags.Public | BindingFlags.Instance, null, [this], null)!;
    }
}
