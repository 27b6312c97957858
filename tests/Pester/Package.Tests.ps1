BeforeDiscovery {
    $script:psResourceGet = [bool](Get-Command Install-PSResource, Compress-PSResource -ErrorAction Ignore | Measure-Object | Where-Object Count -EQ 2)
}

BeforeAll {
    . ([System.IO.Path]::Combine($PSScriptRoot, 'TestSetup.ps1'))
    $repoRoot = [System.IO.Path]::GetFullPath([System.IO.Path]::Combine($PSScriptRoot, '..', '..'))
    $pwsh = (Get-Process -Id $PID).Path
    $version = (Import-PowerShellDataFile $moduleManifest).ModuleVersion
}

AfterAll {
    Stop-ZcrmSimulator $sim
}

# Gallery users install with PSResourceGet; this is that path end to end, from a local folder repository, into a
# HOME of its own so that the user's modules and repositories are neither used nor touched.
Describe 'The package' -Skip:(-not $psResourceGet) {
    BeforeAll {
        $work = Join-Path ([System.IO.Path]::GetTempPath()) "zcrm-package-test-$PID"
        $home_ = New-Item -ItemType Directory -Path (Join-Path $work 'home') -Force
        $feed = New-Item -ItemType Directory -Path (Join-Path $work 'feed') -Force

        # build.ps1 Package in a pwsh of its own: the task the README names, on what this run built.
        $packageRun = & $pwsh -NoProfile -NonInteractive -File (Join-Path $repoRoot 'build.ps1') Package -NoBuild -Configuration $configuration *>&1
        $package = Join-Path $repoRoot 'out' "ZohoCrmEmails.$version.nupkg"
    }

    AfterAll {
        if (Test-Path $work) { Remove-Item $work -Recurse -Force }
    }

    It 'is written by build.ps1 Package as out/ZohoCrmEmails.<version>.nupkg, with the licence and the help inside' {
        $LASTEXITCODE | Should -Be 0 -Because ($packageRun -join "`n")
        $package | Should -Exist
        Add-Type -AssemblyName System.IO.Compression.FileSystem
        $zip = [System.IO.Compression.ZipFile]::OpenRead($package)
        try { $entries = @($zip.Entries.FullName) } finally { $zip.Dispose() }
        foreach ($file in 'LICENSE', 'ZohoCrmEmails.psd1', 'ZohoCrmEmails.psm1', 'ZohoCrmEmails.format.ps1xml', 'en-US/about_ZohoCrmEmails.help.txt', 'en-US/ZohoCrmEmails.Module.dll-Help.xml', 'bin/ZohoCrmEmails.Module.dll', 'bin/ZohoCrmEmails.Engine.dll') {
            $entries | Should -Contain $file
        }
        $entries | Should -Not -Contain 'bin/System.Management.Automation.dll'
        # Compress-PSResource's NuGet.Config must not land in the repository.
        Join-Path $repoRoot 'NuGet' | Should -Not -Exist
    }

    It 'installs with Install-PSResource from a local repository, imports by name and lists e-mails' {
        Copy-Item $package $feed
        $script = {
            param($feed, $accountsUrl, $deal)
            $ErrorActionPreference = 'Stop'
            Register-PSResourceRepository -Name ZcrmLocal -Uri $feed -Trusted
            $found = Find-PSResource -Name ZohoCrmEmails -Repository ZcrmLocal
            Install-PSResource -Name ZohoCrmEmails -Repository ZcrmLocal -Scope CurrentUser -Quiet
            Import-Module ZohoCrmEmails
            $env:ZCRM_ACCOUNTS_URL = $accountsUrl
            Connect-Zcrm -FromEnvironment
            $emails = @(Get-ZcrmRecordEmail -Module Deals -Id $deal)
            [pscustomobject]@{
                Found     = "$($found.Name) $($found.Version)"
                Installed = (Get-InstalledPSResource ZohoCrmEmails).Version.ToString()
                Path      = (Get-Module ZohoCrmEmails).ModuleBase
                Emails    = $emails.Count
                Type      = $emails[0].GetType().FullName
                About     = [bool](Get-Help about_ZohoCrmEmails | Out-String | Select-String 'SCHEDULED JOB')
            } | ConvertTo-Json -Compress
        }
        $psi = [System.Diagnostics.ProcessStartInfo]::new($pwsh)
        foreach ($a in '-NoProfile', '-NonInteractive', '-Command', "& { $script } '$feed' '$($sim.BaseUri)' '$deal'") { $psi.ArgumentList.Add($a) }
        $psi.RedirectStandardOutput = $true
        $psi.RedirectStandardError = $true
        $psi.Environment['HOME'] = $home_.FullName
        # A module path of the default kind for that HOME, so only the installed copy can answer "ZohoCrmEmails".
        foreach ($name in 'XDG_DATA_HOME', 'XDG_CONFIG_HOME', 'XDG_CACHE_HOME', 'PSModulePath') { $null = $psi.Environment.Remove($name) }
        $psi.Environment['ZCRM_CLIENT_ID'] = $sim.ClientId
        $psi.Environment['ZCRM_CLIENT_SECRET'] = [System.Net.NetworkCredential]::new('', $sim.ClientSecret).Password
        $psi.Environment['ZCRM_REFRESH_TOKEN'] = [System.Net.NetworkCredential]::new('', $sim.RefreshToken).Password
        $process = [System.Diagnostics.Process]::Start($psi)
        $stderr = $process.StandardError.ReadToEndAsync()
        $stdout = $process.StandardOutput.ReadToEndAsync()
        if (-not $process.WaitForExit(120000)) { $process.Kill($true); throw 'HANG: the install did not end within 120 s.' }
        $process.WaitForExit()

        $process.ExitCode | Should -Be 0 -Because $stderr.Result
        $result = $stdout.Result.Trim() -split "`n" | Select-Object -Last 1 | ConvertFrom-Json
        $result.Found | Should -Be "ZohoCrmEmails $version"
        $result.Installed | Should -Be $version
        $result.Path | Should -BeLike "$($home_.FullName)*"
        $result.Emails | Should -Be 25
        $result.Type | Should -Be 'ZohoCrmEmails.Models.ZcrmEmail'
        $result.About | Should -BeTrue
    }
}

# Where PSResourceGet is missing the run says so, rather than passing in silence.
if (-not $psResourceGet) {
    Describe 'The package without PSResourceGet' {
        It 'is not tested here: PSResourceGet (Install-PSResource, Compress-PSResource) is not installed' {
            Set-ItResult -Skipped -Because 'Microsoft.PowerShell.PSResourceGet is not installed in this pwsh'
        }
    }
}
