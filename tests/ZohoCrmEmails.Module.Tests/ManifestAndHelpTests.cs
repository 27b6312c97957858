using System.Management.Automation;

namespace ZohoCrmEmails.Module.Tests;

public sealed class ManifestAndHelpTests : PowerShellTest
{
    private static readonly string[] Cmdlets = ["Connect-Zcrm", "Disconnect-Zcrm", "Export-ZcrmEmail", "Get-ZcrmConnection", "Get-ZcrmEmailSharing", "Get-ZcrmRecord", "Get-ZcrmRecordEmail", "Invoke-ZcrmRestMethod", "Save-ZcrmEmailAttachment", "Test-ZcrmArchive"];

    [Fact]
    public void The_manifest_exports_exactly_the_modules_cmdlets_and_nothing_else()
    {
        var r = Run("Get-Module ZohoCrmEmails");
        var module = (PSModuleInfo)Assert.Single(r.Output).BaseObject;
        Assert.Equal(Cmdlets, module.ExportedCmdlets.Keys.Order());
        Assert.Empty(module.ExportedFunctions);
        Assert.Empty(module.ExportedAliases);
        Assert.Empty(module.ExportedVariables);
        Assert.Contains(module.ExportedFormatFiles, f => f.EndsWith("ZohoCrmEmails.format.ps1xml"));
        Assert.Equal(["Core"], module.CompatiblePSEditions);
        var manifest = File.ReadAllText(ModuleManifest);
        Assert.DoesNotContain("*", manifest[manifest.IndexOf("CmdletsToExport", StringComparison.Ordinal)..manifest.IndexOf("FunctionsToExport", StringComparison.Ordinal)]);
    }

    [Fact]
    public void Dependencies_load_in_the_modules_private_load_context()
    {
        var r = Run("[System.AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { $_.GetName().Name -in 'ZohoCrmEmails.Engine', 'ZohoCrmEmails.Module', 'Microsoft.Extensions.Http' } | ForEach-Object { [System.Runtime.Loader.AssemblyLoadContext]::GetLoadContext($_).Name }");
        Assert.NotEmpty(r.Output);
        Assert.All(r.Output, o => Assert.Equal("ZohoCrmEmails", o.ToString()));
    }

    [Theory]
    [InlineData("Connect-Zcrm")]
    [InlineData("Disconnect-Zcrm")]
    [InlineData("Get-ZcrmRecordEmail")]
    [InlineData("Get-ZcrmEmailSharing")]
    [InlineData("Save-ZcrmEmailAttachment")]
    [InlineData("Export-ZcrmEmail")]
    [InlineData("Test-ZcrmArchive")]
    [InlineData("Get-ZcrmRecord")]
    [InlineData("Invoke-ZcrmRestMethod")]
    [InlineData("Get-ZcrmConnection")]
    public void Get_Help_shows_synopsis_description_every_parameter_and_three_examples(string cmdlet)
    {
        var r = Run($"Get-Help {cmdlet} -Full");
        var help = Assert.Single(r.Output);
        Assert.False(string.IsNullOrWhiteSpace(help.Properties["Synopsis"].Value?.ToString()));
        Assert.DoesNotContain(cmdlet + " ", help.Properties["Synopsis"].Value!.ToString()!.TrimStart()[..Math.Min(cmdlet.Length + 1, help.Properties["Synopsis"].Value!.ToString()!.Length)]);
        var examples = Run($"(Get-Help {cmdlet} -Full).examples.example.Count");
        Assert.True((int)examples.Output[0].BaseObject >= 3);
        var description = Run($"(Get-Help {cmdlet} -Full).description.Text -join ' '");
        Assert.False(string.IsNullOrWhiteSpace(description.Output[0].ToString()));

        var documented = Run($"(Get-Help {cmdlet} -Full).parameters.parameter.name | Where-Object {{ $_ -notin [System.Management.Automation.PSCmdlet]::OptionalCommonParameters }}")
            .Output.Where(o => o is not null).Select(o => o.ToString()).Order().ToList();
        var actual = Run($"(Get-Command {cmdlet}).Parameters.Keys | Where-Object {{ $_ -notin [System.Management.Automation.PSCmdlet]::CommonParameters -and $_ -notin [System.Management.Automation.PSCmdlet]::OptionalCommonParameters }}")
            .Output.Select(o => o.ToString()).Order().ToList();
        Assert.Equal(actual, documented);
    }
}
