# A busy org: Zoho's cap on calls at once is shared by every integration of the org. A 429 about concurrency slows
# one request and lowers the connection's limit; it never stops the run.
BeforeAll {
    . ([System.IO.Path]::Combine($PSScriptRoot, 'TestSetup.ps1'))
}

AfterAll {
    Disconnect-Zcrm
    Stop-ZcrmSimulator $sim
}

Describe 'Zoho''s concurrency cap, shared with other integrations' {
    BeforeEach {
        Reset-ZcrmSimulator $sim
        $dir = Join-Path $TestDrive ([guid]::NewGuid().ToString('N'))
        $ids = @(Get-TestRecordId 60)
    }

    It 'archives every e-mail with default settings against a cap of 6, learning the cap and saying so on -Verbose' {
        Set-ZcrmSimulatorKnob $sim @{ concurrencyCap = 6; defaultEmailCount = 4; latencyMs = 5 }
        Connect-Zcrm @connect   # -MaxConcurrentRequests left at its default of 25

        $run = Invoke-Captured { $ids | Get-ZcrmRecordEmail -Module Deals -Verbose | Export-ZcrmEmail -Path $dir }

        $run.Errors | Should -BeNullOrEmpty
        $run.Output.Count | Should -Be 240
        Test-ZcrmArchive -Path $dir | Should -BeNullOrEmpty
        $stats = Get-ZcrmSimulatorStat $sim
        $stats.refusedRequests | Should -BeGreaterThan 0
        $connection = Get-ZcrmConnection
        $connection.ThrottledRequests | Should -Be $stats.refusedRequests
        $connection.ConcurrencyLimit | Should -BeLessOrEqual 7
        $connection.MaxConcurrentRequests | Should -Be 25
        $run.Verbose | Where-Object { $_ -like "Zoho CRM refused a request because the org's calls at once are taken (429): this connection now sends at most * requests at once (was *)." } |
            Should -Not -BeNullOrEmpty
        # Every retry was a refused request's own: none waited on a cool-down of the whole connection.
        $retries = @($run.Verbose | Where-Object { $_ -like '* -> HTTP 429 TOO_MANY_REQUESTS: retrying in *' })
        $retries.Count | Should -BeGreaterThan 0
        $retries | ForEach-Object { $_ | Should -BeLike "*, the org's calls at once are taken." }
    }

    It 'keeps what it learned for the next command on the connection' {
        Set-ZcrmSimulatorKnob $sim @{ concurrencyCap = 5; defaultEmailCount = 4; latencyMs = 5 }
        Connect-Zcrm @connect
        $null = $ids | Get-ZcrmRecordEmail -Module Deals
        $learned = (Get-ZcrmConnection).ConcurrencyLimit
        $refusedBefore = (Get-ZcrmSimulatorStat $sim).refusedRequests

        $again = Invoke-Captured { $ids | Get-ZcrmRecordEmail -Module Deals }

        $again.Errors | Should -BeNullOrEmpty
        $again.Output.Count | Should -Be 240
        $learned | Should -BeLessOrEqual 6
        # The second command starts at what the first learned, not at 25: few refusals, if any.
        ((Get-ZcrmSimulatorStat $sim).refusedRequests - $refusedBefore) | Should -BeLessOrEqual 5
    }

    It 'never stops a run for sporadic bursts of 429s while requests succeed' {
        Set-ZcrmSimulatorKnob $sim @{ sporadic429EveryMs = 40; defaultEmailCount = 12; latencyMs = 2 }
        Connect-Zcrm @connect

        $run = Invoke-Captured { $ids | Get-ZcrmRecordEmail -Module Deals -IncludeContent }

        $run.Errors | Should -BeNullOrEmpty
        $run.Output.Count | Should -Be (60 * 12)
        (Get-ZcrmSimulatorStat $sim).refusedRequests | Should -BeGreaterThan 0
    }

    It 'shows what the connection learned in its default view' {
        Connect-Zcrm @connect
        $text = Get-ZcrmConnection | Out-String

        $text | Should -Match 'ConcurrencyLimit\s+: \d+'
        $text | Should -Match 'ThrottledRequests\s+: 0'
    }
}
