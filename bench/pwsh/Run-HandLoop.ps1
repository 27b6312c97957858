<#
.SYNOPSIS
One benchmark run of the hand-written peer (../shared/peers/hand-loop.ps1) in a fresh pwsh, timed inside pwsh as
Run-Module.ps1 times the module. Prints one JSON line.
#>
param(
    [Parameter(Mandatory)] [string] $HandLoop,
    [Parameter(Mandatory)] [string] $BaseUri,
    [Parameter(Mandatory)] [string] $IdsFile,
    [ValidateSet('First', 'OutNull')] [string] $Consumer = 'First'
)
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
$ids = [System.IO.File]::ReadAllLines($IdsFile)
$process = Get-Process -Id $PID
$cpu = $process.TotalProcessorTime
$watch = [System.Diagnostics.Stopwatch]::StartNew()
$arguments = @{ Base = $BaseUri; Module = 'Deals'; Ids = $ids; ClientId = $env:ZCRM_CLIENT_ID; ClientSecret = $env:ZCRM_CLIENT_SECRET; RefreshToken = $env:ZCRM_REFRESH_TOKEN }
$first = $null
$count = 0
if ($Consumer -eq 'OutNull') {
    & $HandLoop @arguments | Out-Null
}
else {
    & $HandLoop @arguments | ForEach-Object { if ($count++ -eq 0) { $first = $watch.Elapsed.TotalMilliseconds } }
}
$lastMs = $watch.Elapsed.TotalMilliseconds
$process.Refresh()
[ordered]@{ first_ms = $first; last_ms = $lastMs; emails = $count; command_cpu_ms = ($process.TotalProcessorTime - $cpu).TotalMilliseconds; peak_rss_mb = $process.PeakWorkingSet64 / 1MB } |
    ConvertTo-Json -Compress
