# Starts and drives the standalone Zoho simulator (tests/ZohoCrmEmails.Simulator) for the Pester suite and the demo.
# The simulator listens on 127.0.0.1 only; its credentials are fixtures it accepts, not secrets.
# Written with .NET calls rather than Join-Path/Invoke-RestMethod so that it also runs in a bare engine host.

Set-StrictMode -Version Latest

# Mirror SimCredentials in tests/ZohoCrmEmails.Simulator/SimData.cs (`--help` prints them too).
$script:Fixture = @{
    ClientId     = '1000.SIMCLIENTID7Q3X'
    ClientSecret = 'sim-client-secret-5f9d2c7e1b'
    RefreshToken = '1000.sim-refresh-token-8e4a6b0d3c'
    AccessToken  = '1000.sim-static-access-token-2b7c9e'
}

function Get-ZcrmSimulatorPath {
    [CmdletBinding()]
    [OutputType([string])]
    param([ValidateSet('Debug', 'Release')] [string] $Configuration = 'Release')
    [System.IO.Path]::GetFullPath([System.IO.Path]::Combine(
            $PSScriptRoot, 'ZohoCrmEmails.Simulator', 'bin', $Configuration, 'net10.0', 'ZohoCrmEmails.Simulator.dll'))
}

function Start-ZcrmSimulator {
    <#
    .SYNOPSIS
    Starts the simulator on a free loopback port and returns its base URL, process and the fixture credentials.
    #>
    [CmdletBinding()]
    param(
        [ValidateSet('Debug', 'Release')] [string] $Configuration = 'Release',
        # Extra simulator options, e.g. '--latency-ms', '20'.
        [string[]] $ArgumentList = @()
    )
    $dll = Get-ZcrmSimulatorPath -Configuration $Configuration
    if (-not [System.IO.File]::Exists($dll)) {
        throw "The simulator is not built ($dll). Run: pwsh ./build.ps1 Build -Configuration $Configuration"
    }
    $info = [System.Diagnostics.ProcessStartInfo]::new('dotnet')
    foreach ($a in @($dll, '--port', '0', '--exit-on-stdin-close') + $ArgumentList) { $info.ArgumentList.Add($a) }
    $info.UseShellExecute = $false
    $info.RedirectStandardInput = $true    # closing it stops the simulator, even if this session dies
    $info.RedirectStandardOutput = $true
    $process = [System.Diagnostics.Process]::Start($info)

    $firstLine = $process.StandardOutput.ReadLineAsync()
    if (-not $firstLine.Wait([TimeSpan]::FromSeconds(60))) {
        $process.Kill($true)
        throw 'The simulator did not report its address within 60 s.'
    }
    if ($firstLine.Result -notmatch '^Listening on (http://127\.0\.0\.1:\d+)$') {
        $process.Kill($true)
        throw "The simulator did not start: $($firstLine.Result)"
    }
    # Keep reading its output so a full pipe can never block it.
    $null = $process.StandardOutput.ReadToEndAsync()

    [pscustomobject]@{
        PSTypeName   = 'ZcrmSimulator'
        BaseUri      = $Matches[1]
        Process      = $process
        ClientId     = $script:Fixture.ClientId
        ClientSecret = [System.Net.NetworkCredential]::new('', $script:Fixture.ClientSecret).SecurePassword
        RefreshToken = [System.Net.NetworkCredential]::new('', $script:Fixture.RefreshToken).SecurePassword
        AccessToken  = [System.Net.NetworkCredential]::new('', $script:Fixture.AccessToken).SecurePassword
    }
}

function Stop-ZcrmSimulator {
    [CmdletBinding()]
    param([Parameter(Mandatory, Position = 0)] [psobject] $Simulator)
    $process = $Simulator.Process
    if ($process.HasExited) { return }
    $process.StandardInput.Close()
    if (-not $process.WaitForExit(10000)) { $process.Kill($true) }
}

function Get-ZcrmSimulatorSecret {
    <# The fixture credential values as plain text, for asserting that none of them leaks. #>
    [CmdletBinding()]
    [OutputType([string])]
    param()
    $script:Fixture.Values
}

function Invoke-ZcrmSimulatorControl {
    [CmdletBinding()]
    param(
        [Parameter(Mandatory, Position = 0)] [psobject] $Simulator,
        [Parameter(Mandatory, Position = 1)] [string] $Path,
        [string] $Body
    )
    $client = [System.Net.Http.HttpClient]::new()
    try {
        $uri = [uri]::new("$($Simulator.BaseUri)/__sim/$Path")
        $response = if ($PSBoundParameters.ContainsKey('Body')) {
            $content = [System.Net.Http.StringContent]::new($Body, [System.Text.Encoding]::UTF8, 'application/json')
            $client.PostAsync($uri, $content).GetAwaiter().GetResult()
        }
        else {
            $client.GetAsync($uri).GetAwaiter().GetResult()
        }
        $null = $response.EnsureSuccessStatusCode()
        $response.Content.ReadAsStringAsync().GetAwaiter().GetResult()
    }
    finally {
        $client.Dispose()
    }
}

function Reset-ZcrmSimulator {
    <# Default knobs, zero counters, forget issued tokens. #>
    [CmdletBinding()]
    param([Parameter(Mandatory, Position = 0)] [psobject] $Simulator)
    $null = Invoke-ZcrmSimulatorControl $Simulator 'reset' -Body ''
}

function Set-ZcrmSimulatorKnob {
    <#
    .SYNOPSIS
    Replaces the simulator's fault knobs, e.g. @{ fail429Count = 2; retryAfter = '0' } (names as in `--help`).
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory, Position = 0)] [psobject] $Simulator,
        [Parameter(Mandatory, Position = 1)] [hashtable] $Knob
    )
    $null = Invoke-ZcrmSimulatorControl $Simulator 'knobs' -Body ([System.Text.Json.JsonSerializer]::Serialize($Knob, [hashtable], [System.Text.Json.JsonSerializerOptions]$null))
}

function Get-ZcrmSimulatorStat {
    <# Requests served per route and the peak number in flight: tokenRequests, listRequests, detailRequests, ... #>
    [CmdletBinding()]
    param([Parameter(Mandatory, Position = 0)] [psobject] $Simulator)
    $json = [System.Text.Json.JsonDocument]::Parse((Invoke-ZcrmSimulatorControl $Simulator 'stats'))
    try {
        $stats = [ordered]@{}
        foreach ($p in $json.RootElement.EnumerateObject()) { $stats[$p.Name] = $p.Value.GetInt64() }
        [pscustomobject]$stats
    }
    finally {
        $json.Dispose()
    }
}

function Get-ZcrmSimulatorLog {
    <# Method and raw target of each request served (token and CRM), in arrival order. #>
    [CmdletBinding()]
    [OutputType([string])]
    param([Parameter(Mandatory, Position = 0)] [psobject] $Simulator)
    $json = [System.Text.Json.JsonDocument]::Parse((Invoke-ZcrmSimulatorControl $Simulator 'log'))
    try {
        foreach ($e in $json.RootElement.EnumerateArray()) { $e.GetString() }
    }
    finally {
        $json.Dispose()
    }
}

function Add-ZcrmSimulatorEmail {
    <#
    .SYNOPSIS
    An e-mail arrives on records: one more to list on each, and its Modified_Time and Last_Activity_Time moved to now
    (which of the two, the knob newEmailMoves says).
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory, Position = 0)] [psobject] $Simulator,
        [Parameter(Mandatory, Position = 1, ValueFromPipeline)] [string[]] $RecordId,
        [string] $Module = 'Deals'
    )
    process {
        foreach ($id in $RecordId) {
            $null = Invoke-ZcrmSimulatorControl $Simulator "new-email?module=$([uri]::EscapeDataString($Module))&id=$([uri]::EscapeDataString($id))" -Body ''
        }
    }
}

function Get-ZcrmSimulatorRecordId {
    <# The id of listed record number $Number (1-based), as SimRecordStore numbers them. #>
    [CmdletBinding()]
    [OutputType([string])]
    param([Parameter(Mandatory, Position = 0, ValueFromPipeline)] [int[]] $Number)
    process { foreach ($n in $Number) { '{0}' -f (4150868000030000000 + $n) } }
}

Export-ModuleMember -Function Get-ZcrmSimulatorPath, Start-ZcrmSimulator, Stop-ZcrmSimulator, Get-ZcrmSimulatorSecret,
    Reset-ZcrmSimulator, Set-ZcrmSimulatorKnob, Get-ZcrmSimulatorStat, Get-ZcrmSimulatorLog, Add-ZcrmSimulatorEmail, Get-ZcrmSimulatorRecordId
