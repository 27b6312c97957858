<#
.SYNOPSIS
The hand-written way to read a record's e-mails in full and keep their attachments, timed as Run-Module.ps1 times
the module: Invoke-RestMethod for the token, the pages and each e-mail's detail read, Invoke-WebRequest -OutFile for
each attachment; sequential, as an admin's loop is. Prints one JSON line.
#>
param(
    [Parameter(Mandatory)] [string] $BaseUri,
    [Parameter(Mandatory)] [string] $RecordId,
    [ValidateSet('IncludeContent', 'Export', 'Save')] [string] $Work = 'IncludeContent'
)
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
$process = Get-Process -Id $PID
$cpu = $process.TotalProcessorTime
$watch = [System.Diagnostics.Stopwatch]::StartNew()
$folder = Join-Path ([System.IO.Path]::GetTempPath()) "zcrm-hand-$PID"
$null = New-Item -ItemType Directory -Force $folder
$token = Invoke-RestMethod -Method Post -Uri "$BaseUri/oauth/v2/token" -Body @{
    grant_type = 'refresh_token'; client_id = $env:ZCRM_CLIENT_ID; client_secret = $env:ZCRM_CLIENT_SECRET; refresh_token = $env:ZCRM_REFRESH_TOKEN
}
$headers = @{ Authorization = "Zoho-oauthtoken $($token.access_token)" }
$list = "$BaseUri/crm/v8/Deals/$RecordId/Emails"
$uri = $list
$count = 0
$files = 0
while ($true) {
    $page = Invoke-RestMethod -Uri $uri -Headers $headers -StatusCodeVariable status
    if ($status -eq 204 -or -not $page) { break }
    foreach ($listed in $page.Emails) {
        if ($Work -eq 'Save' -and -not $listed.has_attachment) { continue }
        $mid = [uri]::EscapeDataString($listed.message_id)
        $owner = $listed.owner.id
        $full = (Invoke-RestMethod -Uri "$list/$mid`?owner_id=$owner" -Headers $headers).Emails[0]
        $count++
        if ($Work -eq 'Export') { [System.IO.File]::WriteAllText((Join-Path $folder "$count.html"), $full.content) }
        if ($Work -ne 'IncludeContent') {
            foreach ($a in $full.attachments) {
                $query = "message_id=$mid&user_id=$owner&id=$([uri]::EscapeDataString($a.id))&name=$([uri]::EscapeDataString($a.name))"
                Invoke-WebRequest -Uri "$list/actions/download_attachments?$query" -Headers $headers -OutFile (Join-Path $folder "$count-$($a.id)") | Out-Null
                $files++
            }
        }
    }
    if (-not $page.info.more_records) { break }
    $uri = "$list`?index=" + [uri]::EscapeDataString($page.info.next_index)
}
$lastMs = $watch.Elapsed.TotalMilliseconds
Remove-Item $folder -Recurse -Force
$process.Refresh()
[ordered]@{ last_ms = $lastMs; emails = $count; files = $files; command_cpu_ms = ($process.TotalProcessorTime - $cpu).TotalMilliseconds; peak_rss_mb = $process.PeakWorkingSet64 / 1MB } |
    ConvertTo-Json -Compress
