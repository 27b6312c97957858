<#
.SYNOPSIS
One benchmark run of the module, as a user runs it: a fresh pwsh, Import-Module, Connect-Zcrm, one command.
Prints one JSON line. Started by bench/Measure-Module.ps1, one process per run.
#>
param(
    [Parameter(Mandatory)] [string] $Manifest,
    [Parameter(Mandatory)] [string] $BaseUri,
    [Parameter(Mandatory)] [string] $IdsFile,
    [int] $ThrottleLimit = 4,
    # First: time the first and last object (ForEach-Object); OutNull: | Out-Null, for CPU per e-mail.
    [ValidateSet('First', 'OutNull')] [string] $Consumer = 'First',
    # List: Get-ZcrmRecordEmail; IncludeContent: with -IncludeContent; Export: | Export-ZcrmEmail; Save: | Save-ZcrmEmailAttachment;
    # Sweep: Export-ZcrmEmail -Module Deals -All into -SweepFolder (the ids file is not read).
    [ValidateSet('List', 'IncludeContent', 'Export', 'Save', 'Sweep')] [string] $Work = 'List',
    # Sweep: the archive folder, kept across runs (a second run sweeps what changed).
    [string] $SweepFolder,
    # Where Export and Save write (a new folder of this process's under it); left for the caller to remove.
    [string] $ArchiveRoot = [System.IO.Path]::GetTempPath(),
    # Run the command a second time in the same process: the warm figures.
    [switch] $Warm,
    # Connect-Zcrm -MaxConcurrentRequests (0: its default), as a user configured for the org's cap would set it.
    [int] $MaxConcurrentRequests = 0
)
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
$clock = [System.Diagnostics.Stopwatch]::StartNew()
Import-Module $Manifest
$importMs = $clock.Elapsed.TotalMilliseconds
$secure = { param($s) [System.Net.NetworkCredential]::new('', $s).SecurePassword }
$cap = if ($MaxConcurrentRequests -gt 0) { @{ MaxConcurrentRequests = $MaxConcurrentRequests } } else { @{} }
Connect-Zcrm -ClientId $env:ZCRM_CLIENT_ID -ClientSecret (& $secure $env:ZCRM_CLIENT_SECRET) -RefreshToken (& $secure $env:ZCRM_REFRESH_TOKEN) -AccountsUrl $BaseUri @cap
$connectMs = $clock.Elapsed.TotalMilliseconds - $importMs
$ids = [System.IO.File]::ReadAllLines($IdsFile)
$process = Get-Process -Id $PID

function Measure-Once {
    $cpu = $process.TotalProcessorTime
    $watch = [System.Diagnostics.Stopwatch]::StartNew()
    $script:first = $null
    $script:count = 0
    # -ThrottleLimit 0: the defaults (no -ThrottleLimit at all).
    $throttle = if ($ThrottleLimit -gt 0) { @{ ThrottleLimit = $ThrottleLimit } } else { @{} }
    # Errors are counted, not thrown: a run that loses records says how many.
    $throttle.ErrorAction = 'SilentlyContinue'
    $throttle.ErrorVariable = '+failures'
    $failures = [System.Collections.ArrayList]::new()
    $folder = Join-Path $ArchiveRoot "zcrm-bench-$PID-$([guid]::NewGuid().ToString('N').Substring(0, 6))"
    $command = switch ($Work) {
        'List' { { $ids | Get-ZcrmRecordEmail -Module Deals @throttle } }
        'IncludeContent' { { $ids | Get-ZcrmRecordEmail -Module Deals -IncludeContent @throttle } }
        'Export' { { $ids | Get-ZcrmRecordEmail -Module Deals @throttle | Export-ZcrmEmail -Path $folder @throttle } }
        'Save' { { $ids | Get-ZcrmRecordEmail -Module Deals @throttle | Save-ZcrmEmailAttachment -Path $folder @throttle } }
        'Sweep' { { Export-ZcrmEmail -Module Deals -All -Path $SweepFolder @throttle } }
    }
    if ($Consumer -eq 'OutNull') {
        & $command | Out-Null
    }
    else {
        & $command | ForEach-Object {
            if ($script:count++ -eq 0) { $script:first = $watch.Elapsed.TotalMilliseconds }
        }
    }
    $lastMs = $watch.Elapsed.TotalMilliseconds
    $process.Refresh()
    [ordered]@{ first_ms = $script:first; last_ms = $lastMs; emails = $script:count; errors = $failures.Count; command_cpu_ms = ($process.TotalProcessorTime - $cpu).TotalMilliseconds }
}

$result = [ordered]@{ import_ms = $importMs; connect_ms = $connectMs }
$cold = Measure-Once
foreach ($key in $cold.Keys) { $result[$key] = $cold[$key] }
if ($Warm) {
    $again = Measure-Once
    $result.warm_first_ms = $again.first_ms
    $result.warm_last_ms = $again.last_ms
}
$process.Refresh()
$result.peak_rss_mb = $process.PeakWorkingSet64 / 1MB
$result | ConvertTo-Json -Compress
