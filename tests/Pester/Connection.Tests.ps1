BeforeAll {
    . ([System.IO.Path]::Combine($PSScriptRoot, 'TestSetup.ps1'))
    $secrets = @(Get-ZcrmSimulatorSecret) + '1000.sim-access-'    # the prefix of every access token the simulator issues
    function Assert-NoSecret([string] $Text) {
        foreach ($s in $secrets) { $Text | Should -Not -Match ([regex]::Escape($s)) }
    }
}

AfterAll {
    Disconnect-Zcrm
    Stop-ZcrmSimulator $sim
}

Describe 'Connect-Zcrm' {
    BeforeEach {
        Reset-ZcrmSimulator $sim
        Disconnect-Zcrm
    }

    It 'returns a connection with -PassThru that shows data centre, API domain and token expiry, never a secret' {
        $c = Connect-Zcrm @connect -DataCenter EU -PassThru

        $c | Should -BeOfType ([ZohoCrmEmails.ZcrmConnection])
        "$($c.DataCenter)" | Should -Be 'EU'
        # The api_domain the accounts server returned with the token, not the EU default.
        $c.ApiDomain | Should -Be $sim.BaseUri
        $c.TokenExpiresAt | Should -BeGreaterThan ([datetimeoffset]::Now)
        $c.Authentication | Should -Be 'RefreshToken'
        Assert-NoSecret ($c | Format-List * | Out-String)
        Assert-NoSecret ($c | Out-String)
        Assert-NoSecret ($c | ConvertTo-Json -Depth 3 -WarningAction SilentlyContinue)
    }

    It 'shows people settings and state only: names not numbers, no secret, no method of the engine' {
        $c = Connect-Zcrm @connect -DataCenter EU -ApiCreditReserve 100 -PassThru

        $members = $c | Get-Member
        @($members | Where-Object MemberType -EQ Method).Name | Sort-Object | Should -Be @('Equals', 'GetHashCode', 'GetType', 'ToString')
        $members.Name | Should -Not -Contain 'Redactor'
        $json = $c | ConvertTo-Json | ConvertFrom-Json
        $json.DataCenter | Should -Be 'EU'
        $json.Authentication | Should -Be 'RefreshToken'
        $json.ApiCreditReserve | Should -Be 100
        $json.IsDefault | Should -BeTrue
        $json.IsOpen | Should -BeTrue
        $json.PSObject.Properties.Name | Should -Not -Contain 'ClientId'
        $table = $c | Format-Table | Out-String
        $table | Should -Not -Match 'Redactor|SecretRedactor|System\.'
        ($c | Format-List | Out-String) | Should -Match 'DataCenter\s+: EU'
    }

    It 'gives the default with Get-ZcrmConnection, and closes only the one given to Disconnect-Zcrm -Connection' {
        $first = Connect-Zcrm @connect -PassThru
        $second = Connect-Zcrm @connect -PassThru

        (Get-ZcrmConnection) | Should -Be $second
        $first.IsDefault | Should -BeFalse
        $second.IsDefault | Should -BeTrue

        Disconnect-Zcrm -Connection $first
        $first.IsOpen | Should -BeFalse
        $second.IsOpen | Should -BeTrue
        (Get-ZcrmConnection) | Should -Be $second
        { Get-ZcrmRecordEmail Deals $deal -Connection $first } | Should -Throw -ErrorId 'Zcrm.NotConnected,ZohoCrmEmails.Module.GetZcrmRecordEmailCommand'
        @(Get-ZcrmRecordEmail Deals $deal).Count | Should -Be 25

        $second | Disconnect-Zcrm
        Get-ZcrmConnection | Should -BeNullOrEmpty
        $second.IsDefault | Should -BeFalse
    }

    It 'writes nothing without -PassThru and makes the default connection' {
        $out = Connect-Zcrm @connect

        $out | Should -BeNullOrEmpty
        @(Get-ZcrmRecordEmail Deals $deal).Count | Should -Be 25
    }

    It 'accepts a PSCredential for the client id and secret' {
        $cred = [pscredential]::new($sim.ClientId, $sim.ClientSecret)
        Connect-Zcrm -ClientCredential $cred -RefreshToken $sim.RefreshToken -AccountsUrl $sim.BaseUri

        @(Get-ZcrmRecordEmail Deals $deal).Count | Should -Be 25
    }

    It 'answers a plain-text secret with how to make a SecureString, never echoing the text' {
        $plain = 'plain-secret-7Q3X'
        $err = $null
        try { Connect-Zcrm -ClientId $sim.ClientId -ClientSecret $plain -RefreshToken $sim.RefreshToken -AccountsUrl $sim.BaseUri } catch { $err = $_ }

        $err | Should -Not -BeNullOrEmpty
        $err.FullyQualifiedErrorId | Should -BeLike 'ParameterArgumentTransformationError*'
        "$err" | Should -Match 'Read-Host -AsSecureString'
        "$err" | Should -Match 'Get-Secret'
        "$err" | Should -Match 'ConvertTo-SecureString'
        "$err" | Should -Not -Match $plain
        @(Get-ZcrmSimulatorLog $sim).Count | Should -Be 0
    }

    It 'works with an access token alone, which it never renews' {
        $c = Connect-Zcrm -AccessToken $sim.AccessToken -ApiDomain $sim.BaseUri -PassThru

        $c.Authentication | Should -Be 'AccessToken'
        @(Get-ZcrmRecordEmail Deals $deal).Count | Should -Be 25
        (Get-ZcrmSimulatorStat $sim).tokenRequests | Should -Be 0
    }

    It 'reads ZCRM_* environment variables with -FromEnvironment' {
        $names = 'ZCRM_CLIENT_ID', 'ZCRM_CLIENT_SECRET', 'ZCRM_REFRESH_TOKEN', 'ZCRM_ACCESS_TOKEN', 'ZCRM_ACCOUNTS_URL', 'ZCRM_DATA_CENTER', 'ZCRM_API_DOMAIN'
        $saved = @{}
        foreach ($n in $names) { $saved[$n] = [Environment]::GetEnvironmentVariable($n); [Environment]::SetEnvironmentVariable($n, $null) }
        try {
            $env:ZCRM_CLIENT_ID = $sim.ClientId
            $env:ZCRM_CLIENT_SECRET = [System.Net.NetworkCredential]::new('', $sim.ClientSecret).Password
            $env:ZCRM_REFRESH_TOKEN = [System.Net.NetworkCredential]::new('', $sim.RefreshToken).Password
            $env:ZCRM_ACCOUNTS_URL = $sim.BaseUri
            $env:ZCRM_DATA_CENTER = 'AU'

            $c = Connect-Zcrm -FromEnvironment -PassThru

            "$($c.DataCenter)" | Should -Be 'AU'
            @(Get-ZcrmRecordEmail Deals $deal).Count | Should -Be 25
        }
        finally {
            foreach ($n in $names) { [Environment]::SetEnvironmentVariable($n, $saved[$n]) }
        }
    }

    It 'renews an expired access token once per expiry and loses nothing' {
        # Each token the simulator issues from now on is good for two CRM requests, then answers 401 INVALID_TOKEN.
        Set-ZcrmSimulatorKnob $sim @{ tokenExpiresAfterRequests = 2 }
        Connect-Zcrm @connect

        @(Get-ZcrmRecordEmail Accounts $largeAccount).Count | Should -Be 150
        # 15 pages, two per token: 8 tokens; the 7 refused requests are each renewed once and sent again.
        $stats = Get-ZcrmSimulatorStat $sim
        $stats.tokenRequests | Should -Be 8
        $stats.listRequests | Should -Be (15 + 7)
    }

    It 'Disconnect-Zcrm forgets the default connection' {
        Connect-Zcrm @connect
        Disconnect-Zcrm

        { Get-ZcrmRecordEmail Deals $deal } | Should -Throw -ErrorId 'Zcrm.NotConnected,ZohoCrmEmails.Module.GetZcrmRecordEmailCommand'
    }
}

Describe 'Runspaces' {
    BeforeEach {
        Reset-ZcrmSimulator $sim
    }

    It 'gives each runspace its own default connection; one can be shared with -Connection' {
        $c = Connect-Zcrm @connect -PassThru

        $results = 1..2 | ForEach-Object -ThrottleLimit 2 -Parallel {
            Import-Module $using:moduleManifest
            if ($_ -eq 1) {
                try { Get-ZcrmRecordEmail Deals $using:deal -ErrorAction Stop; 'read' } catch { $_.FullyQualifiedErrorId }
            }
            else {
                @(Get-ZcrmRecordEmail Deals $using:deal -Connection $using:c).Count
            }
        }

        $results | Should -Contain 'Zcrm.NotConnected,ZohoCrmEmails.Module.GetZcrmRecordEmailCommand'
        $results | Should -Contain 25
        # The parallel runspaces did not replace this one's default.
        @(Get-ZcrmRecordEmail Deals $deal).Count | Should -Be 25
    }
}

Describe 'Secrets' {
    BeforeEach {
        Reset-ZcrmSimulator $sim
    }

    It '-Verbose traces one line per request and -Debug redacts the Authorization header; no stream shows a secret' {
        $run = Invoke-Captured {
            Connect-Zcrm @connect -Verbose -Debug
            Get-ZcrmRecordEmail Deals $deal -Verbose -Debug
        }

        $requests = @($run.Verbose | Where-Object { $_ -like 'GET /crm/*' })
        $requests.Count | Should -Be 3
        $requests[0] | Should -Match '^GET /crm/v8/Deals/\d+/Emails -> 200 in \d+ ms, 10 read$'
        $requests[1] | Should -Match 'index='
        @($run.Debug | Where-Object { $_ -like '*Authorization: Zoho-oauthtoken `[redacted`]*' }).Count | Should -BeGreaterThan 0
        Assert-NoSecret (($run.All | ForEach-Object { "$_" }) -join "`n")
        Assert-NoSecret ($run.All | Out-String)
    }

    It 'keeps secrets out of error text, even when authentication fails' {
        $err = $null
        try { Connect-Zcrm @connect -ClientId '1000.WRONG' -Verbose -Debug *>&1 | Out-Null } catch { $err = $_ }

        $err | Should -Not -BeNullOrEmpty
        Assert-NoSecret ($err | Format-List * -Force | Out-String)
        Assert-NoSecret ($err.Exception | Format-List * -Force | Out-String)
        Assert-NoSecret "$($err.Exception)"
    }
}
