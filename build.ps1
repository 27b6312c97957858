#Requires -Version 7.4
<#
.SYNOPSIS
Builds, tests and demonstrates the ZohoCrmEmails module.

.DESCRIPTION
Build  lays out a ready-to-import module under out/<Configuration>/ZohoCrmEmails (and builds the simulator and tests).
Test   builds, runs the xunit suites (dotnet test), then the Pester 5 suite under tests/Pester against the
       standalone simulator. Pester is taken from an installed copy, else installed from the PowerShell Gallery.
Demo   builds, starts the simulator on 127.0.0.1, imports the built module and runs a few real commands.
Package builds, then writes out/ZohoCrmEmails.<version>.nupkg with PSResourceGet's Compress-PSResource: the package
       Install-PSResource installs from a repository (the PowerShell Gallery, or a local folder).
Clean  removes out/ and every bin/ and obj/ folder.

.EXAMPLE
pwsh ./build.ps1 Demo

.EXAMPLE
pwsh ./build.ps1 Test -Configuration Debug
#>
[CmdletBinding()]
param(
    [Parameter(Position = 0)]
    [ValidateSet('Build', 'Test', 'Demo', 'Package', 'Clean')]
    [string] $Task = 'Build',

    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Release',

    # Test: run only the Pester part (CI has already run dotnet test).
    [switch] $SkipDotnetTest,

    # Test, Demo and Package: use what is already built.
    [switch] $NoBuild
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest

$repo = $PSScriptRoot
$solution = Join-Path $repo 'ZohoCrmEmails.sln'
$moduleManifest = Join-Path $repo 'out' $Configuration 'ZohoCrmEmails' 'ZohoCrmEmails.psd1'
$minimumPester = [version]'5.5.0'

function Invoke-Dotnet {
    param([Parameter(ValueFromRemainingArguments)] [string[]] $Arguments)
    Write-Host "dotnet $($Arguments -join ' ')" -ForegroundColor DarkGray
    & dotnet @Arguments
    if ($LASTEXITCODE -ne 0) { throw "dotnet $($Arguments[0]) failed (exit code $LASTEXITCODE)." }
}

function Invoke-BuildTask {
    if (-not (Get-Command dotnet -ErrorAction SilentlyContinue)) {
        throw 'The .NET SDK (dotnet) is not on PATH; see README.md, "Set-up".'
    }
    Invoke-Dotnet build $solution -c $Configuration --nologo
    Write-Host "Module ready: $(Split-Path $moduleManifest)" -ForegroundColor Green
}

function Import-Pester {
    $installed = Get-Module Pester -ListAvailable | Where-Object Version -GE $minimumPester | Sort-Object Version -Descending | Select-Object -First 1
    if (-not $installed) {
        Write-Host "Pester $minimumPester or later is not installed; installing it from the PowerShell Gallery for the current user." -ForegroundColor Yellow
        if (Get-Command Install-PSResource -ErrorAction SilentlyContinue) {
            Install-PSResource -Name Pester -Version "[$minimumPester,6.0)" -Scope CurrentUser -TrustRepository -Quiet
        }
        else {
            Install-Module -Name Pester -MinimumVersion $minimumPester -MaximumVersion 5.99 -Scope CurrentUser -Force -SkipPublisherCheck
        }
        $installed = Get-Module Pester -ListAvailable | Where-Object Version -GE $minimumPester | Sort-Object Version -Descending | Select-Object -First 1
    }
    Import-Module $installed -Force
}

function Invoke-TestTask {
    if (-not $NoBuild) { Invoke-BuildTask }
    if (-not $SkipDotnetTest) {
        # A test host that makes no progress for 5 minutes is aborted and its test reported: a hang fails, it does not stall.
        Invoke-Dotnet test $solution -c $Configuration --no-build --nologo --blame-hang-timeout 5m --blame-hang-dump-type none
    }
    Import-Pester
    $config = New-PesterConfiguration
    $config.Run.Path = Join-Path $repo 'tests' 'Pester'
    $config.Run.PassThru = $true
    $config.Output.Verbosity = 'Detailed'
    $config.TestResult.Enabled = $true
    $config.TestResult.OutputPath = Join-Path $repo 'out' $Configuration 'TestResults' 'pester.xml'
    # Read by tests/Pester/TestSetup.ps1.
    $env:ZCRM_TEST_CONFIGURATION = $Configuration
    $env:ZCRM_TEST_MODULE = $moduleManifest
    # The tests run under a user's default preferences, not under this script's $ErrorActionPreference = 'Stop'.
    $result = & { $ErrorActionPreference = 'Continue'; Invoke-Pester -Configuration $config }
    if ($result.Result -ne 'Passed') {
        throw "Pester: $($result.FailedCount) failed, $($result.PassedCount) passed."
    }
    Write-Host "Pester: $($result.PassedCount) passed." -ForegroundColor Green
}

function Show-Step {
    param([string] $Title, [scriptblock] $Command)
    Write-Host ''
    Write-Host "# $Title" -ForegroundColor Cyan
    Write-Host "PS> $($Command.ToString().Trim())" -ForegroundColor Yellow
    & $Command | Out-Host
}

function Invoke-DemoTask {
    if (-not $NoBuild) { Invoke-BuildTask }
    Import-Module (Join-Path $repo 'tests' 'ZcrmSimulator.psm1') -Force
    $sim = Start-ZcrmSimulator -Configuration $Configuration -ArgumentList '--latency-ms', '20'
    try {
        Write-Host "Zoho simulator listening on $($sim.BaseUri) (loopback only; its credentials are test fixtures)." -ForegroundColor Green
        Import-Module $moduleManifest -Force
        # The step blocks below see these through PowerShell's dynamic scoping.
        $accountsUrl = $sim.BaseUri
        $clientId = $sim.ClientId
        $clientSecret = $sim.ClientSecret
        $refreshToken = $sim.RefreshToken
        $deal = '4150868000001234001'
        $archive = Join-Path ([System.IO.Path]::GetTempPath()) "zcrm-demo-$PID"

        Show-Step 'Connect with a refresh token (the simulator stands in for accounts.zoho.com)' {
            Connect-Zcrm -ClientId $clientId -ClientSecret $clientSecret -RefreshToken $refreshToken -AccountsUrl $accountsUrl -PassThru
        }
        Show-Step "A deal's e-mails, streamed page by page (only the first page is requested)" {
            Get-ZcrmRecordEmail -Module Deals -Id $deal | Select-Object -First 5
        }
        Show-Step 'Bounced e-mails only' {
            Get-ZcrmRecordEmail -Module Deals -Id $deal | Where-Object Bounced
        }
        Show-Step 'One e-mail in full: piping a listed e-mail back in reads its body and attachments' {
            Get-ZcrmRecordEmail -Module Deals -Id $deal | Where-Object HasAttachment | Select-Object -First 1 | Get-ZcrmRecordEmail
        }
        Show-Step 'Save the attachments of e-mails: names from the sender made safe, each file written whole or not at all' {
            Get-ZcrmRecordEmail -Module Deals -Id $deal | Where-Object HasAttachment | Select-Object -First 2 |
                Save-ZcrmEmailAttachment -Path $archive
        }
        Show-Step 'Export e-mails as .eml files any mail client opens (attachments included unless -NoAttachments)' {
            Get-ZcrmRecordEmail -Module Deals -Id $deal | Select-Object -First 3 | Export-ZcrmEmail -Path $archive
        }
        Show-Step 'Who may share e-mails of a lead' {
            Get-ZcrmEmailSharing -Module Leads -Id 3652397000001790004
        }
        Show-Step 'Many records from a CSV, 8 at a time, in input order; one of them may not be read (NO_PERMISSION)' {
            @'
Module,Id
Deals,4150868000001234001
Deals,4150868000000000403
Contacts,3652397000001790222
Leads,3652397000001790111
'@ | ConvertFrom-Csv | Get-ZcrmRecordEmail -ThrottleLimit 8 -ErrorAction Continue |
                Group-Object Module, RecordId -NoElement
        }
        Show-Step 'That failure is an ErrorRecord with a stable id, for scripts to act on' {
            $Error[0] | Select-Object FullyQualifiedErrorId, CategoryInfo, TargetObject | Format-List
        }
        Show-Step 'Bad input is refused before any request' {
            Get-ZcrmRecordEmail -Module Deals -Id 'DEAL-1' -ErrorAction Continue
        }
        # A module of 60 deals for the record side (the simulator's knob, not part of the demo).
        Set-ZcrmSimulatorKnob $sim @{ recordCount = 60; recordEmailsMax = 3 }
        $sweep = Join-Path $archive 'sweep'
        Show-Step 'Find records without an export: every deal, with the fields asked for' {
            Get-ZcrmRecord -Module Deals -Fields Deal_Name, Stage | Select-Object -First 3
        }
        Show-Step 'Sweep the whole module into an archive; the folder keeps the sweep''s progress' {
            Export-ZcrmEmail -Module Deals -All -Path $sweep -NoAttachments | Measure-Object | Select-Object Count
        }
        Show-Step 'The next night: only the records changed since the last sweep are read' {
            $before = (Get-ZcrmConnection).RequestsSent
            $written = @(Export-ZcrmEmail -Module Deals -All -Path $sweep -NoAttachments).Count
            "$written files written, $((Get-ZcrmConnection).RequestsSent - $before) requests sent"
        }
    }
    finally {
        if ($archive -and (Test-Path $archive)) { Remove-Item $archive -Recurse -Force }
        Stop-ZcrmSimulator $sim
        Write-Host ''
        Write-Host 'Simulator stopped.' -ForegroundColor Green
    }
}

function Invoke-PackageTask {
    if (-not $NoBuild) { Invoke-BuildTask }
    if (-not (Get-Command Compress-PSResource -ErrorAction SilentlyContinue)) {
        throw 'Package needs Microsoft.PowerShell.PSResourceGet 1.1 or later (Compress-PSResource); PowerShell 7.4+ ships it.'
    }
    $moduleFolder = Split-Path $moduleManifest
    $version = (Import-PowerShellDataFile $moduleManifest).ModuleVersion
    $out = Join-Path $repo 'out'
    $package = Join-Path $out "ZohoCrmEmails.$version.nupkg"
    if (Test-Path $package) { Remove-Item $package }
    # Compress-PSResource writes NuGet/NuGet.Config into the current folder when the user has none: keep it out of the repo.
    $scratch = New-Item -ItemType Directory -Path (Join-Path ([System.IO.Path]::GetTempPath()) "zcrm-package-$PID")
    Push-Location $scratch
    try { Compress-PSResource -Path $moduleFolder -DestinationPath $out }
    finally {
        Pop-Location
        Remove-Item $scratch -Recurse -Force
    }
    if (-not (Test-Path $package)) { throw "Compress-PSResource wrote no $package." }
    Write-Host "Package ready: $package" -ForegroundColor Green
}

function Invoke-CleanTask {
    $targets = @(Join-Path $repo 'out') + @(
        Get-ChildItem -Path (Join-Path $repo 'src'), (Join-Path $repo 'tests'), (Join-Path $repo 'bench') -Directory -Recurse -Include bin, obj -ErrorAction SilentlyContinue |
            Select-Object -ExpandProperty FullName)
    foreach ($t in $targets) {
        if (Test-Path $t) { Remove-Item $t -Recurse -Force }
    }
    Write-Host 'Cleaned.' -ForegroundColor Green
}

switch ($Task) {
    'Build' { Invoke-BuildTask }
    'Test' { Invoke-TestTask }
    'Demo' { Invoke-DemoTask }
    'Package' { Invoke-PackageTask }
    'Clean' { Invoke-CleanTask }
}
