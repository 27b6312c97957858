BeforeAll {
    . ([System.IO.Path]::Combine($PSScriptRoot, 'TestSetup.ps1'))
}

AfterAll {
    Disconnect-Zcrm
    Stop-ZcrmSimulator $sim
}

Describe 'Error ids' {
    BeforeEach {
        Reset-ZcrmSimulator $sim
        Connect-Zcrm @connect
    }

    It 'refuses <Case> with <ErrorId> before any request' -ForEach @(
        @{ Case = 'a non-digit id'; ErrorId = 'Zcrm.InvalidRecordId'; Script = { Get-ZcrmRecordEmail -Module Deals -Id 12ab } }
        @{ Case = 'an empty id'; ErrorId = 'Zcrm.InvalidRecordId'; Script = { Get-ZcrmRecordEmail -Module Deals -Id '' } }
        @{ Case = 'a path in the module'; ErrorId = 'Zcrm.InvalidModule'; Script = { Get-ZcrmRecordEmail -Module '../Deals' -Id 1 } }
        @{ Case = 'an empty module'; ErrorId = 'Zcrm.InvalidModule'; Script = { Get-ZcrmRecordEmail -Module '' -Id 1 } }
        @{ Case = 'a query in the module'; ErrorId = 'Zcrm.InvalidModule'; Script = { Get-ZcrmEmailSharing -Module 'Deals?x=1' -Id 1 } }
        @{ Case = 'an owner id without UserEmails'; ErrorId = 'Zcrm.InvalidParameterCombination'; Script = { Get-ZcrmRecordEmail -Module Deals -Id 1 -OwnerId 5 } }
        @{ Case = 'a non-digit owner id'; ErrorId = 'Zcrm.InvalidOwnerId'; Script = { Get-ZcrmRecordEmail -Module Deals -Id 1 -Type UserEmails -OwnerId pat } }
        @{ Case = 'an all-contacts type outside Accounts'; ErrorId = 'Zcrm.InvalidParameterCombination'; Script = { Get-ZcrmRecordEmail -Module Deals -Id 1 -Type AllContactsSentCrmEmails } }
        @{ Case = 'a blank message id'; ErrorId = 'Zcrm.InvalidMessageId'; Script = { Get-ZcrmRecordEmail -Module Deals -Id 1 -MessageId ' ' } }
        @{ Case = 'a type with a message id'; ErrorId = 'Zcrm.InvalidParameterCombination'; Script = { Get-ZcrmRecordEmail -Module Deals -Id 1 -MessageId m1 -Type Drafts } }
    ) {
        $run = Invoke-Captured $Script

        $run.Errors.Count | Should -Be 1
        $run.Errors[0].FullyQualifiedErrorId | Should -BeLike "$ErrorId,*"
        $run.Errors[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
        $run.Errors[0].ErrorDetails.RecommendedAction | Should -Not -BeNullOrEmpty
        (Get-ZcrmSimulatorStat $sim).crmRequests | Should -Be 0
    }

    It 'turns the Zoho code <ErrorId> into the error id, category <Category>, target the record id' -ForEach @(
        @{ Module = 'Widgets'; Id = '4150868000001234001'; ErrorId = 'Zcrm.INVALID_MODULE'; Category = 'InvalidArgument'; Message = 'the module name given seems to be invalid (resource_path_index: 1)' }
        @{ Module = 'Deals'; Id = '4150868000000000400'; ErrorId = 'Zcrm.INVALID_DATA'; Category = 'InvalidArgument'; Message = 'the id given seems to be invalid (resource_path_index: 2)' }
        @{ Module = 'Deals'; Id = '4150868000000000403'; ErrorId = 'Zcrm.NO_PERMISSION'; Category = 'PermissionDenied'; Message = 'permission denied' }
    ) {
        $run = Invoke-Captured { Get-ZcrmRecordEmail -Module $Module -Id $Id }

        $run.Errors.Count | Should -Be 1
        $run.Errors[0].FullyQualifiedErrorId | Should -Be "$ErrorId,ZohoCrmEmails.Module.GetZcrmRecordEmailCommand"
        $run.Errors[0].CategoryInfo.Category | Should -Be $Category
        $run.Errors[0].TargetObject | Should -Be $Id
        $run.Errors[0].Exception.Message | Should -Be $Message    # Zoho's own words, with what it put in details
        $run.Errors[0].ErrorDetails.Message | Should -Be "$Module/${Id}: $Message"   # the transcript line names the record
    }

    It 'reports a NO_PERMISSION record among good ones and reads the others' {
        Set-ZcrmSimulatorKnob $sim @{ defaultEmailCount = 2 }
        $ids = @(Get-TestRecordId 1) + $noPermission + @(Get-TestRecordId 2)[1]

        $run = Invoke-Captured { $ids | Get-ZcrmRecordEmail -Module Deals }

        $run.Output.Count | Should -Be 4
        ($run.Output | ForEach-Object RecordId) | Should -Be @($ids[0], $ids[0], $ids[2], $ids[2])
        $run.Errors.Count | Should -Be 1
        $run.Errors[0].FullyQualifiedErrorId | Should -BeLike 'Zcrm.NO_PERMISSION,*'
        $run.Errors[0].TargetObject | Should -Be $noPermission
    }

    It 'with -ErrorAction Stop, the failing record stops the command after the records before it' {
        Set-ZcrmSimulatorKnob $sim @{ defaultEmailCount = 2 }
        $ids = @(Get-TestRecordId 1) + $noPermission + @(Get-TestRecordId 2)[1]
        $got = [System.Collections.Generic.List[object]]::new()

        { $ids | Get-ZcrmRecordEmail -Module Deals -ErrorAction Stop | ForEach-Object { $got.Add($_) } } |
            Should -Throw -ErrorId 'Zcrm.NO_PERMISSION,ZohoCrmEmails.Module.GetZcrmRecordEmailCommand'
        $got.Count | Should -Be 2
    }

    It 'gives Zcrm.TOO_MANY_REQUESTS once the retries are spent (-MaximumRetryCount <Retries>: <Requests> requests)' -ForEach @(
        # Refused alone five times in a row, the server refuses everything; then the retries asked for are spent.
        @{ Retries = 1; Requests = 6 }
        # No retries asked for: not even a 429 about concurrency is tried again.
        @{ Retries = 0; Requests = 1 }
    ) {
        Connect-Zcrm @connect -MaximumRetryCount $Retries
        Set-ZcrmSimulatorKnob $sim @{ fail429Count = 1000000; retryAfter = '0' }

        $run = Invoke-Captured { Get-ZcrmRecordEmail Deals $deal }

        $run.Errors.Count | Should -Be 1
        $run.Errors[0].FullyQualifiedErrorId | Should -BeLike 'Zcrm.TOO_MANY_REQUESTS,*'
        $run.Errors[0].CategoryInfo.Category | Should -Be 'LimitsExceeded'
        (Get-ZcrmSimulatorStat $sim).listRequests | Should -Be $Requests
    }

    It 'retries through a few 429 and 5xx and loses nothing' {
        Set-ZcrmSimulatorKnob $sim @{ fail429Count = 2; retryAfter = '0'; fail5xxCount = 1 }

        $run = Invoke-Captured { Get-ZcrmRecordEmail Deals $deal }

        $run.Errors | Should -BeNullOrEmpty
        $run.Output.Count | Should -Be 25
    }

    It 'gives Zcrm.Timeout when a response is slower than -TimeoutSec' {
        Connect-Zcrm @connect -TimeoutSec 1 -MaximumRetryCount 0
        Set-ZcrmSimulatorKnob $sim @{ slowResponseCount = 1; slowResponseMs = 4000 }

        $run = Invoke-Captured { Get-ZcrmRecordEmail Deals $deal }

        $run.Errors[0].FullyQualifiedErrorId | Should -BeLike 'Zcrm.Timeout,*'
        $run.Errors[0].CategoryInfo.Category | Should -Be 'OperationTimeout'
    }

    It 'gives Zcrm.InvalidResponse for malformed JSON' {
        Set-ZcrmSimulatorKnob $sim @{ malformedJsonCount = 1 }

        $run = Invoke-Captured { Get-ZcrmRecordEmail Deals $deal }

        $run.Errors[0].FullyQualifiedErrorId | Should -BeLike 'Zcrm.InvalidResponse,*'
        $run.Errors[0].CategoryInfo.Category | Should -Be 'InvalidResult'
    }

    It 'gives Zcrm.ConnectionFailed when the server keeps dropping the connection' {
        Connect-Zcrm @connect -MaximumRetryCount 0
        Set-ZcrmSimulatorKnob $sim @{ dropConnectionCount = 1000000 }

        $run = Invoke-Captured { Get-ZcrmRecordEmail Deals $deal }

        $run.Errors[0].FullyQualifiedErrorId | Should -BeLike 'Zcrm.ConnectionFailed,*'
        $run.Errors[0].CategoryInfo.Category | Should -Be 'ConnectionError'
    }

    It 'gives Zcrm.RepeatingCursor when the server repeats a cursor, and hands out no page that repeated one' {
        Set-ZcrmSimulatorKnob $sim @{ repeatingCursor = $true }

        $run = Invoke-Captured { Get-ZcrmRecordEmail Accounts $largeAccount }

        $run.Output.Count | Should -Be 10
        $run.Errors.Count | Should -Be 1
        $run.Errors[0].FullyQualifiedErrorId | Should -BeLike 'Zcrm.RepeatingCursor,*'
    }

    It 'is terminating Zcrm.NotConnected without a connection' {
        Disconnect-Zcrm

        { Get-ZcrmRecordEmail Deals $deal } | Should -Throw -ErrorId 'Zcrm.NotConnected,ZohoCrmEmails.Module.GetZcrmRecordEmailCommand'
        { Get-ZcrmEmailSharing Leads $leadWithSharing } | Should -Throw -ErrorId 'Zcrm.NotConnected,ZohoCrmEmails.Module.GetZcrmEmailSharingCommand'
        (Get-ZcrmSimulatorStat $sim).crmRequests | Should -Be 0
    }
}

Describe 'Connect-Zcrm errors' {
    BeforeEach {
        Reset-ZcrmSimulator $sim
    }

    It 'is terminating Zcrm.AuthenticationFailed with the reason for a wrong client id' {
        $err = $null
        try { Connect-Zcrm @connect -ClientId '1000.WRONG' } catch { $err = $_ }

        $err.FullyQualifiedErrorId | Should -Be 'Zcrm.AuthenticationFailed,ZohoCrmEmails.Module.ConnectZcrmCommand'
        $err.CategoryInfo.Category | Should -Be 'AuthenticationError'
        $err.Exception.Message | Should -Match 'invalid_client'
    }

    It 'names invalid_code for a revoked refresh token' {
        Set-ZcrmSimulatorKnob $sim @{ revokeRefreshToken = $true }

        { Connect-Zcrm @connect } | Should -Throw -ErrorId 'Zcrm.AuthenticationFailed,ZohoCrmEmails.Module.ConnectZcrmCommand' -ExpectedMessage '*invalid_code*'
    }

    It 'refuses plain http to a host that is not loopback, before any request' {
        { Connect-Zcrm @connect -AccountsUrl 'http://accounts.example.com' } | Should -Throw -ErrorId 'Zcrm.InsecureEndpoint,ZohoCrmEmails.Module.ConnectZcrmCommand'
        (Get-ZcrmSimulatorStat $sim).totalRequests | Should -Be 0
    }

    It 'is Zcrm.InvalidConfiguration when an environment variable is missing, naming it' {
        $saved = @{}
        foreach ($n in 'ZCRM_CLIENT_ID', 'ZCRM_CLIENT_SECRET', 'ZCRM_REFRESH_TOKEN', 'ZCRM_ACCESS_TOKEN') {
            $saved[$n] = [Environment]::GetEnvironmentVariable($n)
            [Environment]::SetEnvironmentVariable($n, $null)
        }
        try {
            $env:ZCRM_CLIENT_ID = $sim.ClientId
            { Connect-Zcrm -FromEnvironment -AccountsUrl $sim.BaseUri } |
                Should -Throw -ErrorId 'Zcrm.InvalidConfiguration,ZohoCrmEmails.Module.ConnectZcrmCommand' -ExpectedMessage '*ZCRM_CLIENT_SECRET*'
        }
        finally {
            foreach ($n in $saved.Keys) { [Environment]::SetEnvironmentVariable($n, $saved[$n]) }
        }
    }
}
