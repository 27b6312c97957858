#Requires -Version 7.4
<#
.SYNOPSIS
Benchmarks the module as users run it, beside the peers a user would pick instead, against one simulator.

.DESCRIPTION
Every run is a fresh process: `pwsh -NoProfile`, Import-Module, Connect-Zcrm, the command, timed inside pwsh (first
and last object), with the process's CPU time and peak RSS. Where ../shared/peers exists, the same scenarios run
through the hand-written Invoke-RestMethod loop and Zoho's Node SDK v8, against the same simulator, in the same run.
Prints a markdown table of medians and ranges (min-max) over -Runs runs, and writes it to out/bench/pwsh.md.

S1  1 record x 1,000 e-mails, 20 ms a request: total, and first object in a fresh and in a warm process.
S2  500 records x 25 e-mails, 20 ms, 10 at once.
S3  100,000 e-mails (40 records x 2,500), no latency, | Out-Null: client CPU per e-mail.
S4  the same 100,000 against 20,000: peak RSS, which must not grow with the count.
S5  1 record x 1,000 e-mails, 20 ms, default parameters: Get-ZcrmRecordEmail -IncludeContent.
S6  the same record | Export-ZcrmEmail (1,000 .eml files, 500 attachments downloaded into them).
S7  the same record | Save-ZcrmEmailAttachment (250 e-mails read in full, 500 files).
    The bound of S5-S7 is the list's own 100 sequential pages (2.0 s): every detail read and download can overlap it.
C   A busy org (issue 28): 300 records (1,058 e-mails, about 2,100 requests, 20 ms) archived with
    Get-ZcrmRecordEmail | Export-ZcrmEmail against Zoho's concurrency cap, which the org's other integrations share.
    C1: a cap of 10 with defaults, beside the same run configured for the cap (-MaxConcurrentRequests 10);
    C2: a cap of 10 of which other integrations hold 0, 4, 8, 2, 6 slots (moving each second), with defaults, beside
    a run with the same free slots on average and no load (a cap of 6, -MaxConcurrentRequests 6); C3: no cap, bursts
    of one to three 429s every 750 ms, with defaults, beside the same run without them.
S8  A sweep of a whole module (issue 25): Export-ZcrmEmail -Module Deals -All of 2,500 records (a third with no mail,
    the rest 1-30 e-mails) at 20 ms, defaults, beside the bare wire (../shared/peers/raw-capacity.mjs, keep-alive) making
    the same number of requests at the connection's 25 at once; then a second, incremental run after 25 records
    changed, counted in requests.
I   Import-Module in a fresh pwsh, cold and with PowerShell's format system already built (as in any interactive
    session, where the first output builds it).
The "wire" column runs the same records through a bare HttpClient with no model and no pwsh (bench/ZohoCrmEmails.Bench
raw), in a fresh process too: what this machine and simulator allow, next to the theoretical bound.

.EXAMPLE
pwsh ./build.ps1 Build; pwsh ./bench/Measure-Module.ps1
#>
[CmdletBinding()]
param(
    [ValidateRange(1, 20)] [int] $Runs = 3,
    [ValidateSet('Debug', 'Release')] [string] $Configuration = 'Release',
    # Skip the peers even when ../shared/peers is there.
    [switch] $NoPeers,
    # Only these scenarios (S3 brings S4 with it; I is Import-Module).
    [ValidateSet('S1', 'S2', 'S3', 'S5', 'S6', 'S7', 'S8', 'C', 'I')] [string[]] $Scenario = @('S1', 'S2', 'S3', 'S5', 'S6', 'S7', 'S8', 'C', 'I')
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest
$repo = Split-Path $PSScriptRoot
$manifest = Join-Path $repo 'out' $Configuration 'ZohoCrmEmails' 'ZohoCrmEmails.psd1'
$bench = Join-Path $repo 'bench' 'ZohoCrmEmails.Bench' 'bin' $Configuration 'net10.0' 'ZohoCrmEmails.Bench.dll'
$work = Join-Path $repo 'out' 'bench'
foreach ($needed in $manifest, $bench) {
    if (-not (Test-Path $needed)) { throw "$needed is missing: run 'pwsh ./build.ps1 Build -Configuration $Configuration' first." }
}
New-Item -ItemType Directory -Force $work | Out-Null
Import-Module (Join-Path $repo 'tests' 'ZcrmSimulator.psm1') -Force
$gnuTime = if (Test-Path /usr/bin/time) { '/usr/bin/time' }

# ---------------------------------------------------------------- peers

$peers = Join-Path (Split-Path $repo) 'shared' 'peers'
$handLoop = $null
$nodeSdk = $null
$peerNote = 'peers not run: ../shared/peers is not beside this repository'
if (-not $NoPeers -and (Test-Path $peers)) {
    $handLoop = Join-Path $peers 'hand-loop.ps1'
    $peerNote = 'Node SDK not run: node and npm are not on PATH'
    if ((Get-Command node -ErrorAction SilentlyContinue) -and (Get-Command npm -ErrorAction SilentlyContinue)) {
        # The peers' folder is read-only: the SDK is installed into a copy under out/.
        $nodeSdk = Join-Path $work 'node-sdk'
        if (-not (Test-Path (Join-Path $nodeSdk 'node_modules'))) {
            New-Item -ItemType Directory -Force $nodeSdk | Out-Null
            Copy-Item (Join-Path $peers 'node-sdk' '*') $nodeSdk -Force
            Push-Location $nodeSdk
            try { npm ci --no-audit --no-fund --loglevel=error | Out-Host } finally { Pop-Location }
            if ($LASTEXITCODE -ne 0) { $nodeSdk = $null; $peerNote = 'Node SDK not run: npm ci failed' }
        }
        if ($nodeSdk) { $peerNote = '' }
    }
}
elseif ($NoPeers) { $peerNote = 'peers not run (-NoPeers)' }

# ---------------------------------------------------------------- running one process

# Runs a command as its own process; CPU (user + system) and peak RSS come from GNU time where the machine has it.
function Invoke-Measured([string] $FilePath, [string[]] $Arguments) {
    $times = Join-Path $work 'time.txt'
    $info = [System.Diagnostics.ProcessStartInfo]::new($(if ($gnuTime) { $gnuTime } else { $FilePath }))
    if ($gnuTime) { foreach ($a in '-f', '%U %S %M', '-o', $times, $FilePath) { $info.ArgumentList.Add($a) } }
    foreach ($a in $Arguments) { $info.ArgumentList.Add($a) }
    $info.RedirectStandardOutput = $true
    $info.RedirectStandardError = $true
    $info.UseShellExecute = $false
    foreach ($name in 'ZCRM_CLIENT_ID', 'ZCRM_CLIENT_SECRET', 'ZCRM_REFRESH_TOKEN') { $info.Environment[$name] = $fixture[$name] }
    $info.Environment['ZOHO_CLIENT_ID'] = $fixture.ZCRM_CLIENT_ID
    $info.Environment['ZOHO_CLIENT_SECRET'] = $fixture.ZCRM_CLIENT_SECRET
    $info.Environment['ZOHO_REFRESH_TOKEN'] = $fixture.ZCRM_REFRESH_TOKEN
    $info.Environment['NO_COLOR'] = '1'
    $p = [System.Diagnostics.Process]::Start($info)
    $stderr = $p.StandardError.ReadToEndAsync()
    $stdout = $p.StandardOutput.ReadToEnd()
    $p.WaitForExit()
    if ($p.ExitCode -ne 0) { throw "$FilePath $($Arguments -join ' ') failed ($($p.ExitCode)): $($stderr.Result)" }
    $json = ($stdout -split "`n" | Where-Object { $_.TrimStart().StartsWith('{') } | Select-Object -Last 1) | ConvertFrom-Json -AsHashtable
    if ($gnuTime) {
        $u, $s, $kb = (Get-Content $times -Raw).Trim().Split(' ')
        $json.process_cpu_ms = ([double]$u + [double]$s) * 1000
        $json.process_rss_mb = [double]$kb / 1024
    }
    $json
}

function Save-Ids([string[]] $Ids) {
    $file = Join-Path $work "ids-$($Ids.Count)-$($Ids[0]).txt"
    [System.IO.File]::WriteAllLines($file, $Ids)
    $file
}

$pwshPath = (Get-Process -Id $PID).Path
function Invoke-Module([string] $IdsFile, [int] $Throttle, [string] $Consumer, [switch] $Warm, [string] $Task = 'List', [int] $MaxConcurrentRequests = 0,
    [string] $SweepFolder = '') {
    $arguments = @('-NoProfile', '-File', (Join-Path $PSScriptRoot 'pwsh' 'Run-Module.ps1'), '-Manifest', $manifest, '-BaseUri', $sim.BaseUri,
        '-IdsFile', $IdsFile, '-ThrottleLimit', $Throttle, '-Consumer', $Consumer, '-Work', $Task, '-ArchiveRoot', $archives,
        '-MaxConcurrentRequests', $MaxConcurrentRequests, '-SweepFolder', $SweepFolder)
    if ($Warm) { $arguments += '-Warm' }
    Invoke-Measured $pwshPath $arguments
}
function Invoke-HandLoop([string] $IdsFile, [string] $Consumer) {
    Invoke-Measured $pwshPath @('-NoProfile', '-File', (Join-Path $PSScriptRoot 'pwsh' 'Run-HandLoop.ps1'), '-HandLoop', $handLoop, '-BaseUri', $sim.BaseUri,
        '-IdsFile', $IdsFile, '-Consumer', $Consumer)
}
# The wire's own figure for the same work: a bare HttpClient paging the records, no model, no pwsh.
function Invoke-Wire([string[]] $Ids, [int] $Concurrency) {
    $r = Invoke-Measured (Get-Command dotnet).Source (@($bench, 'raw', $sim.BaseUri, $Concurrency) + $Ids)
    $r.last_ms = $r.ms
    $r
}
function Invoke-HandDetail([string] $RecordId, [string] $Task) {
    Invoke-Measured $pwshPath @('-NoProfile', '-File', (Join-Path $PSScriptRoot 'pwsh' 'Run-HandDetail.ps1'), '-BaseUri', $sim.BaseUri,
        '-RecordId', $RecordId, '-Work', $Task)
}
# The wire's own figure for reading one record in full: the listing overlapped with detail reads and downloads.
function Invoke-WireDetail([string] $RecordId, [string] $Task) {
    $r = Invoke-Measured (Get-Command dotnet).Source @($bench, 'raw-detail', $sim.BaseUri, $Task, 24, $RecordId)
    $r.last_ms = $r.ms
    $r
}
function Invoke-NodeSdk([string[]] $Ids, [int] $Concurrency) {
    $r = Invoke-Measured (Get-Command node).Source (@((Join-Path $nodeSdk 'list-emails.js'), $sim.BaseUri, 'Deals', $Concurrency) + $Ids)
    $r.last_ms = $r.ms
    $r
}

# ---------------------------------------------------------------- statistics and table

function Get-Stat([object[]] $Values) {
    $v = @($Values | Where-Object { $null -ne $_ } | Sort-Object)
    if ($v.Count -eq 0) { return $null }
    $median = if ($v.Count % 2) { $v[[int][math]::Floor($v.Count / 2)] } else { ($v[$v.Count / 2 - 1] + $v[$v.Count / 2]) / 2 }
    [pscustomobject]@{ Median = $median; Min = $v[0]; Max = $v[-1] }
}
function Format-Stat($Stat, [string] $Format, [double] $Scale = 1, [string] $Unit = '') {
    if ($null -eq $Stat) { return '—' }
    $f = { param($x) ($x * $Scale).ToString($Format, [cultureinfo]::InvariantCulture) }
    "**$(& $f $Stat.Median)$Unit** ($(& $f $Stat.Min)–$(& $f $Stat.Max))"
}
function Format-Ratio($Peer, $Module) {
    if ($null -eq $Peer -or $null -eq $Module -or $Module.Median -eq 0) { return '' }
    ' · {0:0.0}×' -f ($Peer.Median / $Module.Median)
}

$fixture = @{ ZCRM_CLIENT_ID = '1000.SIMCLIENTID7Q3X' }
$secrets = @(Get-ZcrmSimulatorSecret)
$fixture.ZCRM_CLIENT_SECRET = $secrets | Where-Object { $_ -like 'sim-client-secret-*' }
$fixture.ZCRM_REFRESH_TOKEN = $secrets | Where-Object { $_ -like '1000.sim-refresh-token-*' }

# Archives written by S6 and S7, removed at the end: deleting a thousand files just before the next run writes a
# thousand costs ext4 a search past the recently deleted inodes for every file created, which a nightly job never pays.
$archives = Join-Path $work 'archives'
$sim = Start-ZcrmSimulator -Configuration $Configuration
$rows = [System.Collections.Generic.List[string]]::new()
$notes = [System.Collections.Generic.List[string]]::new()
try {
    Write-Host "Simulator on $($sim.BaseUri); $Runs runs a scenario and client; $(if ($peerNote) { $peerNote } else { 'peers: hand loop and Node SDK' })." -ForegroundColor Cyan

    if ($Scenario -contains 'S1') {
        # S1
        Set-ZcrmSimulatorKnob $sim @{ latencyMs = 20; defaultEmailCount = 1000 }
        $ids = Save-Ids @('4150868000000090001')
        $m = 1..$Runs | ForEach-Object { Invoke-Module $ids 4 First -Warm }
        $h = if ($handLoop) { 1..$Runs | ForEach-Object { Invoke-HandLoop $ids First } }
        $n = if ($nodeSdk) { 1..$Runs | ForEach-Object { Invoke-NodeSdk @('4150868000000090001') 1 } }
        $w = 1..$Runs | ForEach-Object { Invoke-Wire @('4150868000000090001') 1 }
        $wLast = Get-Stat $w.last_ms
        $mLast = Get-Stat $m.last_ms; $hLast = Get-Stat @($h | ForEach-Object { $_.last_ms }); $nLast = Get-Stat @($n | ForEach-Object { $_.last_ms })
        $mFirst = Get-Stat $m.first_ms; $mWarmFirst = Get-Stat $m.warm_first_ms; $mWarmLast = Get-Stat $m.warm_last_ms
        $met = $mLast.Median -le 2200 -and $mFirst.Median -le 60 -and $mWarmFirst.Median -le 30
        $rows.Add("| S1 1 record × 1,000 e-mails, 20 ms | 2.00 s | $(Format-Stat $wLast '0.00' 0.001 ' s') | $(Format-Stat $hLast '0.00' 0.001 ' s')$(Format-Ratio $hLast $mLast) | $(Format-Stat $nLast '0.00' 0.001 ' s')$(Format-Ratio $nLast $mLast) | $(Format-Stat $mLast '0.00' 0.001 ' s'); first object $(Format-Stat $mFirst '0' 1 ' ms') fresh, $(Format-Stat $mWarmFirst '0' 1 ' ms') warm (warm total $(Format-Stat $mWarmLast '0.00' 0.001 ' s')) | ≤ 2.2 s; first ≤ 60 ms fresh, ≤ 30 ms warm | $(if ($met) { 'yes' } else { 'NO' }) |")
    }

    if ($Scenario -contains 'S2') {
        # S2
        Set-ZcrmSimulatorKnob $sim @{ latencyMs = 20; defaultEmailCount = 25 }
        $s2 = 1..500 | ForEach-Object { '41508680001{0:d8}' -f $_ }
        $ids = Save-Ids $s2
        $m = 1..$Runs | ForEach-Object { Invoke-Module $ids 10 First }
        $h = if ($handLoop) { 1..$Runs | ForEach-Object { Invoke-HandLoop $ids First } }
        $n = if ($nodeSdk) { 1..$Runs | ForEach-Object { Invoke-NodeSdk $s2 10 } }
        $w = 1..$Runs | ForEach-Object { Invoke-Wire $s2 10 }
        $wLast = Get-Stat $w.last_ms
        $mLast = Get-Stat $m.last_ms; $hLast = Get-Stat @($h | ForEach-Object { $_.last_ms }); $nLast = Get-Stat @($n | ForEach-Object { $_.last_ms })
        $rows.Add("| S2 500 records × 25, 20 ms, 10 at once | 3.00 s | $(Format-Stat $wLast '0.00' 0.001 ' s') | $(Format-Stat $hLast '0.0' 0.001 ' s') (sequential)$(Format-Ratio $hLast $mLast) | $(Format-Stat $nLast '0.00' 0.001 ' s')$(Format-Ratio $nLast $mLast) | $(Format-Stat $mLast '0.00' 0.001 ' s') | ≤ 3.4 s | $(if ($mLast.Median -le 3400) { 'yes' } else { 'NO' }) |")
    }

    if ($Scenario -match 'S[567]') {
        # S5-S7: one record's e-mails read in full, exported and their attachments saved, with default parameters
        Set-ZcrmSimulatorKnob $sim @{ latencyMs = 20; defaultEmailCount = 1000 }
        $record = '4150868000000095001'
        $ids = Save-Ids @($record)
        foreach ($case in @(
                @{ Id = 'S5'; Work = 'IncludeContent'; Wire = 'content'; Text = 'Get-ZcrmRecordEmail -IncludeContent' }
                @{ Id = 'S6'; Work = 'Export'; Wire = 'export'; Text = '… | Export-ZcrmEmail -Path d' }
                @{ Id = 'S7'; Work = 'Save'; Wire = 'save'; Text = '… | Save-ZcrmEmailAttachment -Path d' }) | Where-Object { $Scenario -contains $_.Id }) {
            $m = 1..$Runs | ForEach-Object { Invoke-Module $ids 0 First -Task $case.Work }
            # The hand loop is sequential (about 30 s a run): one run.
            $h = if ($handLoop) { Invoke-HandDetail $record $case.Work }
            $w = 1..$Runs | ForEach-Object { Invoke-WireDetail $record $case.Wire }
            $mLast = Get-Stat $m.last_ms; $wLast = Get-Stat $w.last_ms; $hLast = Get-Stat @($h | ForEach-Object { $_.last_ms })
            $ratio = $mLast.Median / 2000
            $rows.Add("| $($case.Id) 1 record × 1,000 e-mails (250 with attachments, 500 files), 20 ms, defaults: ``$($case.Text)`` | 2.00 s | $(Format-Stat $wLast '0.00' 0.001 ' s') | $(Format-Stat $hLast '0.0' 0.001 ' s') (sequential, 1 run)$(Format-Ratio $hLast $mLast) | — | $(Format-Stat $mLast '0.00' 0.001 ' s') · $('{0:0.00}' -f $ratio)× the bound | ≤ 1.3× the bound (2.6 s) | $(if ($ratio -le 1.3) { 'yes' } else { 'NO' }) |")
        }
    }

    if ($Scenario -contains 'S3') {
        # S3 and S4
        Set-ZcrmSimulatorKnob $sim @{ latencyMs = 0; defaultEmailCount = 2500 }
        $s3 = 1..40 | ForEach-Object { '41508680003{0:d8}' -f $_ }
        $ids = Save-Ids $s3
        $small = Save-Ids (1..8 | ForEach-Object { '41508680002{0:d8}' -f $_ })
        $m = 1..$Runs | ForEach-Object { Invoke-Module $ids 4 OutNull }
        $m20 = 1..$Runs | ForEach-Object { Invoke-Module $small 4 OutNull }
        $h = if ($handLoop) { 1..$Runs | ForEach-Object { Invoke-HandLoop $ids OutNull } }
        $n = if ($nodeSdk) { 1..$Runs | ForEach-Object { Invoke-NodeSdk $s3 4 } }
        $perEmail = { param($runs, $key) Get-Stat @($runs | ForEach-Object { if ($_ -and $_.ContainsKey($key)) { $_[$key] * 1000 / 100000 } }) }
        $mCpu = & $perEmail $m 'command_cpu_ms'; $mProc = & $perEmail $m 'process_cpu_ms'
        $hCpu = & $perEmail $h 'command_cpu_ms'; $hProc = & $perEmail $h 'process_cpu_ms'; $nProc = & $perEmail $n 'process_cpu_ms'
        $raw = 1..$Runs | ForEach-Object { Invoke-Wire $s3 4 }
        $rawCpu = Get-Stat $raw.cpu_us_per_email; $rawRate = Get-Stat @($raw | ForEach-Object { $_.emails / $_.ms * 1000 })
        $mRate = Get-Stat @($m | ForEach-Object { 100000 / $_.last_ms * 1000 })
        $rows.Add("| S3 100,000 e-mails, no latency, ``| Out-Null``: client CPU per e-mail | — | $(Format-Stat $rawCpu '0.0' 1 ' µs'), $(Format-Stat $rawRate '0' 1 ' e-mails/s') | $(Format-Stat $hCpu '0' 1 ' µs') in the command, $(Format-Stat $hProc '0' 1 ' µs') whole process$(Format-Ratio $hCpu $mCpu) | $(Format-Stat $nProc '0' 1 ' µs') whole process$(Format-Ratio $nProc $mProc) | $(Format-Stat $mCpu '0.0' 1 ' µs') in the command, $(Format-Stat $mProc '0' 1 ' µs') whole process; $(Format-Stat $mRate '0' 1 ' e-mails/s'); **$('{0:0.00}' -f ($mCpu.Median / $rawCpu.Median))×** the wire | ≤ 1.25× the wire | $(if ($mCpu.Median / $rawCpu.Median -le 1.25) { 'yes' } else { 'NO' }) |")
        $mRss = Get-Stat $m.peak_rss_mb; $mRss20 = Get-Stat $m20.peak_rss_mb
        $hRss = Get-Stat @($h | ForEach-Object { $_.peak_rss_mb }); $nRss = Get-Stat @($n | ForEach-Object { if ($_.ContainsKey('process_rss_mb')) { $_.process_rss_mb } })
        $flat = $mRss.Median -le $mRss20.Median + 32
        $rows.Add("| S4 peak RSS of the process, 100,000 e-mails (20,000) | — | — | $(Format-Stat $hRss '0' 1 ' MB') | $(Format-Stat $nRss '0' 1 ' MB') | $(Format-Stat $mRss '0' 1 ' MB') ($(Format-Stat $mRss20 '0' 1 ' MB')) | flat with the count (+≤ 32 MB) | $(if ($flat) { 'yes' } else { 'NO' }) |")
    }

    if ($Scenario -contains 'S8') {
        # S8: each run a fresh sweep into a new folder, the simulator's requests counted, the same number then made by the
        # bare wire at 25 at once; then 25 records get an e-mail and a second sweep of the folder is counted.
        $raw = Join-Path $peers 'raw-capacity.mjs'
        $ids = Save-Ids @('0')
        $m = [System.Collections.Generic.List[object]]::new(); $w = [System.Collections.Generic.List[object]]::new(); $again = [System.Collections.Generic.List[object]]::new()
        foreach ($run in 1..$Runs) {
            Reset-ZcrmSimulator $sim
            Set-ZcrmSimulatorKnob $sim @{ latencyMs = 20; recordCount = 2500; recordEmailsMax = 30 }
            $folder = Join-Path $archives "sweep-$run"
            $r = Invoke-Module $ids 0 First -Task Sweep -SweepFolder $folder
            $stats = Get-ZcrmSimulatorStat $sim
            $r.requests = $stats.crmRequests
            $m.Add($r)
            if ((Get-Command node -ErrorAction SilentlyContinue) -and (Test-Path $raw)) {
                $wire = Invoke-Measured (Get-Command node).Source @($raw, $sim.BaseUri, 'ka', 25, $stats.crmRequests)
                $w.Add($wire)
            }
            Reset-ZcrmSimulator $sim
            Set-ZcrmSimulatorKnob $sim @{ latencyMs = 20; recordCount = 2500; recordEmailsMax = 30 }
            Get-ZcrmSimulatorRecordId (1..25 | ForEach-Object { $_ * 97 }) | Add-ZcrmSimulatorEmail $sim
            $r2 = Invoke-Module $ids 0 First -Task Sweep -SweepFolder $folder
            $r2.requests = (Get-ZcrmSimulatorStat $sim).crmRequests
            $again.Add($r2)
        }
        $mLast = Get-Stat $m.last_ms; $wLast = Get-Stat @($w | ForEach-Object { $_.ms }); $requests = Get-Stat $m.requests
        $ratio = if ($wLast) { $mLast.Median / $wLast.Median } else { $null }
        $second = Get-Stat $again.requests
        $complete = -not ($m | Where-Object { $_.errors -gt 0 }) -and -not ($again | Where-Object { $_.errors -gt 0 -or $_.emails -ne 25 })
        $met = $complete -and $ratio -and $ratio -le 1.2 -and $second.Median -lt 60
        $rows.Add("| S8 sweep of 2,500 records (a third without mail, the rest 1-30 e-mails), 20 ms, defaults: ``Export-ZcrmEmail -Module Deals -All`` | — | $(if ($wLast) { "$(Format-Stat $wLast '0.00' 0.001 ' s') for the same requests, 25 at once (raw-capacity.mjs)" } else { 'not run: node or ../shared/peers missing' }) | — | — | $(Format-Stat $mLast '0.00' 0.001 ' s'), $(Format-Stat $requests '0') requests, $(($m | Measure-Object errors -Sum).Sum) errors$(if ($ratio) { ' · **{0:0.00}×** the wire' -f $ratio }); after 25 records changed: $(Format-Stat $second '0') requests, $(Format-Stat (Get-Stat $again.last_ms) '0.00' 0.001 ' s') | ≤ 1.2× the wire; second run < 60 requests | $(if ($met) { 'yes' } else { 'NO' }) |")
    }

    if ($Scenario -contains 'C') {
        # C1-C3: the run, fresh each time, with the simulator's counters read after it (refusals are the server's count).
        $c = @(1..5000 | ForEach-Object { [uint64]('41508680004{0:d8}' -f $_) } | Where-Object { $_ % 23 -le 7 } | Select-Object -First 300 | ForEach-Object { "$_" })
        $ids = Save-Ids $c
        function Invoke-Busy([hashtable] $Knob, [int] $Cap) {
            Reset-ZcrmSimulator $sim
            $Knob.latencyMs = 20
            Set-ZcrmSimulatorKnob $sim $Knob
            $r = Invoke-Module $ids 0 First -Task Export -MaxConcurrentRequests $Cap
            $stats = Get-ZcrmSimulatorStat $sim
            $r.requests = $stats.crmRequests
            $r.refused = $stats.refusedRequests
            $r
        }
        function Format-Busy($Runs) {
            $last = Get-Stat $Runs.last_ms
            $refused = Get-Stat @($Runs | ForEach-Object { 100.0 * $_.refused / $_.requests })
            $lost = ($Runs | Measure-Object errors -Sum).Sum
            "$(Format-Stat $last '0.00' 0.001 ' s'), $(Format-Stat (Get-Stat $Runs.refused) '0') 429s ($(Format-Stat $refused '0.0' 1 ' %') of $(Format-Stat (Get-Stat $Runs.requests) '0') requests), $lost errors"
        }
        foreach ($case in @(
                @{ Id = 'C1'; Text = 'a cap of 10, no other load, defaults'; Knob = @{ concurrencyCap = 10 }; BaseText = '`-MaxConcurrentRequests 10`'; BaseKnob = @{ concurrencyCap = 10 }; BaseCap = 10; Goal = 1.25; MaxRefused = $null }
                @{ Id = 'C2'; Text = 'a cap of 10, other integrations hold 0, 4, 8, 2, 6 slots (moving each second), defaults'; Knob = @{ concurrencyCap = 10; otherLoad = @(0, 4, 8, 2, 6) }; BaseText = 'a cap of 6, no load, `-MaxConcurrentRequests 6`'; BaseKnob = @{ concurrencyCap = 6 }; BaseCap = 6; Goal = 1.5; MaxRefused = 3.0 }
                @{ Id = 'C3'; Text = 'no cap, bursts of 1-3 429s every 750 ms, defaults'; Knob = @{ sporadic429EveryMs = 750 }; BaseText = 'no bursts'; BaseKnob = @{}; BaseCap = 0; Goal = $null; MaxRefused = $null })) {
            $m = 1..$Runs | ForEach-Object { Invoke-Busy $case.Knob 0 }
            $b = 1..$Runs | ForEach-Object { Invoke-Busy $case.BaseKnob $case.BaseCap }
            $ratio = (Get-Stat $m.last_ms).Median / (Get-Stat $b.last_ms).Median
            $refusedPct = (Get-Stat @($m | ForEach-Object { 100.0 * $_.refused / $_.requests })).Median
            $complete = -not ($m | Where-Object { $_.errors -gt 0 -or $_.emails -ne 1058 })
            $goal = @(if ($case.Goal) { "≤ $($case.Goal)× the base" }; if ($case.MaxRefused) { "≤ $($case.MaxRefused) % refused" }; 'every e-mail archived, no error') -join '; '
            $met = $complete -and (-not $case.Goal -or $ratio -le $case.Goal) -and (-not $case.MaxRefused -or $refusedPct -le $case.MaxRefused)
            $rows.Add("| $($case.Id) 300 records, 1,058 e-mails, 20 ms, ``… | Export-ZcrmEmail``: $($case.Text) | base: $($case.BaseText) $(Format-Busy $b) | — | — | — | $(Format-Busy $m) · **$('{0:0.00}' -f $ratio)×** the base | $goal | $(if ($met) { 'yes' } else { 'NO' }) |")
        }
    }

    if ($Scenario -contains 'I') {
        # Import-Module
        $import = 1..([math]::Max($Runs, 5)) | ForEach-Object {
            Invoke-Measured $pwshPath @('-NoProfile', '-Command', "`$w = [Diagnostics.Stopwatch]::StartNew(); Import-Module '$manifest'; @{ ms = `$w.Elapsed.TotalMilliseconds } | ConvertTo-Json -Compress")
        }
        $importWarm = 1..([math]::Max($Runs, 5)) | ForEach-Object {
            Invoke-Measured $pwshPath @('-NoProfile', '-Command', "Get-Date | Out-String | Out-Null; `$w = [Diagnostics.Stopwatch]::StartNew(); Import-Module '$manifest'; @{ ms = `$w.Elapsed.TotalMilliseconds } | ConvertTo-Json -Compress")
        }
        $iCold = Get-Stat $import.ms; $iWarm = Get-Stat $importWarm.ms
        $rows.Add("| I Import-Module, fresh pwsh | — | — | — | — | $(Format-Stat $iCold '0' 1 ' ms'); $(Format-Stat $iWarm '0' 1 ' ms') with the format system built | ≤ 80 ms | $(if ($iCold.Median -le 80) { 'yes' } elseif ($iWarm.Median -le 80) { 'with formats built' } else { 'NO' }) |")
    }
}
finally {
    Stop-ZcrmSimulator $sim
    if (Test-Path $archives) { Remove-Item $archives -Recurse -Force }
}

$machine = "$([Environment]::ProcessorCount) cores, $([System.Runtime.InteropServices.RuntimeInformation]::OSDescription.Trim()), pwsh $($PSVersionTable.PSVersion), $([System.Runtime.InteropServices.RuntimeInformation]::FrameworkDescription)"
$table = @(
    "Measured $((Get-Date).ToString('yyyy-MM-dd')) on $machine; client and simulator share the cores. Medians in bold, (min–max) over $Runs runs, each a fresh process; × = peer ÷ module."
    ''
    '| scenario | bound | the wire (bare HttpClient) | hand loop (Invoke-RestMethod) | Zoho Node SDK v8 | module | goal | met |'
    '|---|---|---|---|---|---|---|---|'
) + $rows + @('') + $(if ($peerNote) { @($peerNote) } else { @() })
$table | Set-Content (Join-Path $work 'pwsh.md')
$table | Write-Output
