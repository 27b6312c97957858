using System.Management.Automation.Language;

namespace ZohoCrmEmails.Module.Tests;

/// <summary>
/// build.ps1, the Pester suite and the simulator helper cannot run where pwsh is missing (CI): they are at least
/// parsed here, and the parts written against the engine alone (the simulator helper, the Pester set-up) are run.
/// </summary>
public sealed class ScriptTests : PowerShellTest
{
    // out/<Configuration>/ZohoCrmEmails/ZohoCrmEmails.psd1
    private static readonly string Repo = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(ModuleManifest)!, "..", "..", ".."));

    private static List<string> ScriptPaths() =>
        Directory.EnumerateFiles(Repo, "*.ps*1", SearchOption.AllDirectories)
            .Where(f => !f.Split(Path.DirectorySeparatorChar).Any(part => part is "bin" or "obj" or "out" or ".git"))
            .Select(f => Path.GetRelativePath(Repo, f))
            .Order()
            .ToList();

    public static TheoryData<string> Scripts() => new(ScriptPaths());

    [Theory]
    [MemberData(nameof(Scripts))]
    public void Every_script_in_the_repository_parses(string relativePath)
    {
        Parser.ParseFile(Path.Combine(Repo, relativePath), out _, out var errors);
        Assert.Empty(errors.Select(e => $"{e.Extent.StartLineNumber}:{e.Extent.StartColumnNumber} {e.Message}"));
    }

    [Fact]
    public void The_repository_has_the_scripts_the_tests_expect()
    {
        var scripts = ScriptPaths();
        Assert.Contains("build.ps1", scripts);
        Assert.Contains(Path.Combine("tests", "ZcrmSimulator.psm1"), scripts);
        Assert.Contains(scripts, s => s.EndsWith(".Tests.ps1", StringComparison.Ordinal));
    }

    [Fact]
    public void The_simulator_helper_starts_drives_and_stops_the_standalone_simulator()
    {
        var helper = Path.Combine(Repo, "tests", "ZcrmSimulator.psm1");
        var r = Run($$"""
            Import-Module '{{helper}}'
            $s = Start-ZcrmSimulator -Configuration {{Configuration}}
            Connect-Zcrm -ClientId $s.ClientId -ClientSecret $s.ClientSecret -RefreshToken $s.RefreshToken -AccountsUrl $s.BaseUri
            Set-ZcrmSimulatorKnob $s @{ defaultEmailCount = 3; retryAfter = '0' }
            $mails = @(Get-ZcrmRecordEmail -Module Deals -Id 4150868000000000011)
            $before = Get-ZcrmSimulatorStat $s
            $log = @(Get-ZcrmSimulatorLog $s)
            Reset-ZcrmSimulator $s
            $after = Get-ZcrmSimulatorStat $s
            Stop-ZcrmSimulator $s
            [pscustomobject]@{ Mails = $mails.Count; Lists = $before.listRequests; Log = $log -join '|'; AfterReset = $after.totalRequests; Exited = $s.Process.HasExited; Secrets = @(Get-ZcrmSimulatorSecret).Count }
            """);
        Assert.Null(r.Caught);
        Assert.Empty(r.Errors);
        var o = Assert.Single(r.Output);
        Assert.Equal(3, o.Properties["Mails"].Value);
        Assert.Equal(1L, o.Properties["Lists"].Value);
        Assert.Equal("POST /oauth/v2/token|GET /crm/v8/Deals/4150868000000000011/Emails", o.Properties["Log"].Value);
        Assert.Equal(0L, o.Properties["AfterReset"].Value);
        Assert.Equal(true, o.Properties["Exited"].Value);
        Assert.Equal(4, o.Properties["Secrets"].Value);
    }

    [Fact]
    public void The_Pester_setup_connects_to_its_simulator_and_captures_streams()
    {
        var setup = Path.Combine(Repo, "tests", "Pester", "TestSetup.ps1");
        var r = Run($$"""
            $env:ZCRM_TEST_CONFIGURATION = '{{Configuration}}'
            $env:ZCRM_TEST_MODULE = '{{ModuleManifest}}'
            . '{{setup}}'
            try {
                Connect-Zcrm @connect
                Set-ZcrmSimulatorKnob $sim @{ defaultEmailCount = 2 }
                $ids = @(Get-TestRecordId 2) + $noPermission
                $run = Invoke-Captured { $ids | Get-ZcrmRecordEmail -Module Deals -Verbose }
                [pscustomobject]@{ Ids = $ids -join ','; Output = $run.Output.Count; Errors = $run.Errors.Count; Verbose = $run.Verbose.Count; Deal = @(Get-ZcrmRecordEmail Deals $deal).Count }
            }
            finally {
                Stop-ZcrmSimulator $sim
                $env:ZCRM_TEST_CONFIGURATION = $null
                $env:ZCRM_TEST_MODULE = $null
            }
            """);
        Assert.Null(r.Caught);
        var o = Assert.Single(r.Output);
        Assert.Equal("4150868000000000011,4150868000000000012,4150868000000000403", o.Properties["Ids"].Value);
        Assert.Equal(4, o.Properties["Output"].Value);
        Assert.Equal(1, o.Properties["Errors"].Value);
        Assert.Equal(3, o.Properties["Verbose"].Value);
        Assert.Equal(25, o.Properties["Deal"].Value);
    }
}
