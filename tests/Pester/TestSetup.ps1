# Dot-sourced by every *.Tests.ps1 in its BeforeAll: imports the built module, starts the standalone simulator on
# loopback and defines what the tests share. build.ps1 Test sets the two environment variables; run directly,
# the defaults are the Release build under out/.
Set-StrictMode -Version Latest

$configuration = if ($env:ZCRM_TEST_CONFIGURATION) { $env:ZCRM_TEST_CONFIGURATION } else { 'Release' }
$moduleManifest = if ($env:ZCRM_TEST_MODULE) { $env:ZCRM_TEST_MODULE } else {
    [System.IO.Path]::GetFullPath([System.IO.Path]::Combine($PSScriptRoot, '..', '..', 'out', $configuration, 'ZohoCrmEmails', 'ZohoCrmEmails.psd1'))
}
Import-Module ([System.IO.Path]::Combine($PSScriptRoot, '..', 'ZcrmSimulator.psm1')) -Force
Import-Module $moduleManifest

$sim = Start-ZcrmSimulator -Configuration $configuration
$connect = @{
    ClientId     = $sim.ClientId
    ClientSecret = $sim.ClientSecret
    RefreshToken = $sim.RefreshToken
    AccountsUrl  = $sim.BaseUri
}

# Fixed records of the simulator (tests/ZohoCrmEmails.Simulator/SimData.cs).
$deal = '4150868000001234001'            # 25 e-mails: 3 pages, 4 bounced
$emptyRecord = '4150868000000000204'     # no e-mail (204)
$noPermission = '4150868000000000403'    # NO_PERMISSION
$invalidRecord = '4150868000000000400'   # INVALID_DATA
$largeAccount = '4150868000000000150'    # 150 e-mails on Accounts
$leadWithSharing = '3652397000001790004'

# Every other record id has knob defaultEmailCount e-mails; these give distinct ones.
function Get-TestRecordId([int] $Count) { 1..$Count | ForEach-Object { '41508680000000{0:d5}' -f (10 + $_) } }

# Output, errors and every other stream of a script block, separated. The preferences are set here, not inherited:
# a caller's $ErrorActionPreference = 'Stop' (a build script's, say) would turn every non-terminating error into a
# throw and hide what a user with the default preferences sees.
function Invoke-Captured([scriptblock] $Script) {
    $ErrorActionPreference = 'Continue'
    $VerbosePreference = 'SilentlyContinue'
    $DebugPreference = 'SilentlyContinue'
    $all = @(& $Script *>&1)
    [pscustomobject]@{
        Output  = @($all | Where-Object { $_ -isnot [System.Management.Automation.ErrorRecord] -and $_ -isnot [System.Management.Automation.InformationalRecord] })
        Errors  = @($all | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] })
        Verbose = @($all | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] } | ForEach-Object Message)
        Debug   = @($all | Where-Object { $_ -is [System.Management.Automation.DebugRecord] } | ForEach-Object Message)
        All     = $all
    }
}

# A pipeline that could hang (a wait without an end) runs here, in a runspace of its own with the module imported,
# and is stopped at its deadline: a hang then fails its test, with the text below, instead of stalling the suite.
$script:deadlineRunspace = $null
function Invoke-WithDeadline {
    param(
        [Parameter(Mandatory, Position = 0)] [scriptblock] $Script,
        [int] $Seconds = 60,
        # Variables the script sees, e.g. @{ connect = $connect; dir = $dir }.
        [hashtable] $Variables = @{}
    )
    if (-not $script:deadlineRunspace) {
        $script:deadlineRunspace = [runspacefactory]::CreateRunspace()
        $script:deadlineRunspace.Open()
        $import = [powershell]::Create($script:deadlineRunspace)
        $null = $import.AddCommand('Import-Module').AddParameter('Name', $moduleManifest).Invoke()
        $import.Dispose()
    }
    foreach ($name in $Variables.Keys) { $script:deadlineRunspace.SessionStateProxy.SetVariable($name, $Variables[$name]) }
    $ps = [powershell]::Create($script:deadlineRunspace)
    try {
        $null = $ps.AddScript($Script.ToString())
        $async = $ps.BeginInvoke()
        if (-not $async.AsyncWaitHandle.WaitOne([timespan]::FromSeconds($Seconds))) {
            $ps.Stop()
            throw "HANG: the pipeline did not end within $Seconds s: $($Script.ToString().Trim())"
        }
        $output = $ps.EndInvoke($async)
        [pscustomobject]@{ Output = @($output); Errors = @($ps.Streams.Error); Verbose = @($ps.Streams.Verbose | ForEach-Object Message) }
    }
    finally {
        $ps.Dispose()
    }
}

# A loopback port nothing listens on: a server that is down.
function Get-ClosedPort {
    $listener = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
    $listener.Start()
    $port = $listener.LocalEndpoint.Port
    $listener.Stop()
    $port
}

# The files of an archive folder: not its index (zcrm-index.csv) or its lock (zcrm-index.lock).
function Get-ArchiveFile([string] $Path) {
    if (-not (Test-Path $Path)) { return }
    Get-ChildItem $Path -Force -File -Recurse | Where-Object Name -NotIn 'zcrm-index.csv', 'zcrm-index.lock'
}

# A pwsh of its own running $Script with the module imported and connected (from the environment): a nightly job as a
# scheduler starts it, to be killed mid-run. -KeepOutput leaves standard output for the caller to read.
function Start-ModuleProcess([string] $Script, [switch] $KeepOutput) {
    $info = [System.Diagnostics.ProcessStartInfo]::new((Get-Process -Id $PID).Path)
    foreach ($a in '-NoProfile', '-NonInteractive', '-Command', "Import-Module '$moduleManifest'; Connect-Zcrm -FromEnvironment; $Script") { $info.ArgumentList.Add($a) }
    $info.UseShellExecute = $false
    $info.RedirectStandardOutput = $true
    $info.RedirectStandardError = $true
    $info.Environment['ZCRM_CLIENT_ID'] = $sim.ClientId
    $info.Environment['ZCRM_CLIENT_SECRET'] = [System.Net.NetworkCredential]::new('', $sim.ClientSecret).Password
    $info.Environment['ZCRM_REFRESH_TOKEN'] = [System.Net.NetworkCredential]::new('', $sim.RefreshToken).Password
    $info.Environment['ZCRM_ACCOUNTS_URL'] = $sim.BaseUri
    $info.Environment['NO_COLOR'] = '1'
    $info.Environment['COLUMNS'] = '400'
    $p = [System.Diagnostics.Process]::Start($info)
    if (-not $KeepOutput) { $null = $p.StandardOutput.ReadToEndAsync() }
    $null = $p.StandardError.ReadToEndAsync()
    $p
}

# Waits for a condition, polling, up to a deadline: never a fixed sleep.
function Wait-Until([scriptblock] $Condition, [int] $Seconds = 60, [string] $What) {
    $deadline = [DateTime]::UtcNow.AddSeconds($Seconds)
    while (-not (& $Condition)) {
        if ([DateTime]::UtcNow -gt $deadline) { throw "Not within $Seconds s: $What" }
        Start-Sleep -Milliseconds 50
    }
}

# The rows of an archive folder's index.
function Get-IndexRow([string] $Dir) { Import-Csv (Join-Path $Dir 'zcrm-index.csv') }
