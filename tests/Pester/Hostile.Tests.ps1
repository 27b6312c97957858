BeforeAll {
    . ([System.IO.Path]::Combine($PSScriptRoot, 'TestSetup.ps1'))
    # The client id is not a secret (Zoho's console shows it); the client secret, refresh token and access tokens are.
    $secrets = @(Get-ZcrmSimulatorSecret | Where-Object { $_ -ne $sim.ClientId }) + '1000.sim-access-'    # the prefix of every access token issued
    function Assert-NoSecret([string] $Text) {
        foreach ($s in $secrets) {
            $Text | Should -Not -Match ([regex]::Escape($s))
            $Text | Should -Not -Match ([regex]::Escape([uri]::EscapeDataString($s)))
        }
    }
}

AfterAll {
    Disconnect-Zcrm
    Stop-ZcrmSimulator $sim
}

Describe 'A server that echoes secrets' {
    BeforeEach {
        Reset-ZcrmSimulator $sim
        Set-ZcrmSimulatorKnob $sim @{ echoSecrets = $true }
    }

    It 'shows the accounts server''s words without the client secret or refresh token, in every view of the error' {
        Set-ZcrmSimulatorKnob $sim @{ echoSecrets = $true; revokeRefreshToken = $true }
        $err = $null
        try { Connect-Zcrm @connect -Verbose -Debug *>&1 | Out-Null } catch { $err = $_ }

        $err.FullyQualifiedErrorId | Should -Be 'Zcrm.AuthenticationFailed,ZohoCrmEmails.Module.ConnectZcrmCommand'
        $err.Exception.Message | Should -Match 'invalid_code'
        $err.Exception.Message | Should -Match '\[redacted\]'
        Assert-NoSecret ($err | Format-List * -Force | Out-String)
        Assert-NoSecret ($err.Exception | Format-List * -Force | Out-String)
        Assert-NoSecret ($err | Get-Error | Out-String)
        Assert-NoSecret "$($err.ErrorDetails) $($err.ErrorDetails.RecommendedAction)"
    }

    It 'shows no access token in error text, -Debug headers or $Error when the API quotes the Authorization header' {
        Connect-Zcrm @connect
        $run = Invoke-Captured {
            Get-ZcrmRecordEmail Deals $noPermission -Verbose -Debug
            Get-ZcrmRecordEmail Deals $deal -Debug | Select-Object -First 1
        }

        $run.Errors.Count | Should -Be 1
        $run.Errors[0].FullyQualifiedErrorId | Should -BeLike 'Zcrm.NO_PERMISSION,*'
        $run.Errors[0].Exception.Message | Should -Match 'request authorized with Zoho-oauthtoken \[redacted\]'
        @($run.Debug | Where-Object { $_ -like '*X-Echo: you sent Zoho-oauthtoken `[redacted`]*' }).Count | Should -BeGreaterThan 0
        Assert-NoSecret ($run.All | Out-String)
        Assert-NoSecret ($run.Errors[0] | Get-Error | Out-String)
    }

    It 'shows no password given in an endpoint URL' {
        $withUser = ([uri]$sim.BaseUri).GetLeftPart('Authority') -replace '^http://', 'http://svc:P4ss-w0rd-9x@'
        $run = Invoke-Captured {
            $c = Connect-Zcrm @connect -AccountsUrl $withUser -ApiDomain $withUser -PassThru -Verbose
            $c | Format-List * | Out-String
            "$c"
            Get-ZcrmRecordEmail Deals $deal -Verbose | Select-Object -First 1 | Out-Null
        }

        $run.Errors | Should -BeNullOrEmpty
        ($run.All | Out-String) | Should -Not -Match 'P4ss-w0rd-9x'
    }
}

Describe 'Memory and bodies' {
    BeforeEach {
        Reset-ZcrmSimulator $sim
    }

    It 'refuses an endless body with Zcrm.ResponseTooLarge, once, without the process growing' {
        Connect-Zcrm @connect -MaximumResponseSize 1MB
        Set-ZcrmSimulatorKnob $sim @{ hugeBodyBytes = -1 }
        $peakBefore = (Get-Process -Id $PID).PeakWorkingSet64

        $run = Invoke-Captured { Get-ZcrmRecordEmail Deals $deal -ThrottleLimit 4 }

        $run.Errors.Count | Should -Be 1
        $run.Errors[0].FullyQualifiedErrorId | Should -BeLike 'Zcrm.ResponseTooLarge,*'
        $run.Errors[0].CategoryInfo.Category | Should -Be 'LimitsExceeded'
        (Get-ZcrmSimulatorStat $sim).listRequests | Should -Be 1
        ((Get-Process -Id $PID).PeakWorkingSet64 - $peakBefore) | Should -BeLessThan 200MB
    }
}

Describe 'Wrong data is an error, never silence' {
    BeforeEach {
        Reset-ZcrmSimulator $sim
        Connect-Zcrm @connect
    }

    It 'refuses -MessageId <Id> before any request' -ForEach @(@{ Id = '.' }, @{ Id = '..' }, @{ Id = "m1`r`nX: 1" }) {
        $run = Invoke-Captured { Get-ZcrmRecordEmail Deals $deal -MessageId $Id }

        $run.Errors.Count | Should -Be 1
        $run.Errors[0].FullyQualifiedErrorId | Should -Be 'Zcrm.InvalidMessageId,ZohoCrmEmails.Module.GetZcrmRecordEmailCommand'
        $run.Errors[0].TargetObject | Should -Be $Id
        (Get-ZcrmSimulatorStat $sim).crmRequests | Should -Be 0
    }

    It 'refuses a value with a trailing line break or non-ASCII digits: <Case>' -ForEach @(
        @{ Case = 'module'; Script = { Get-ZcrmRecordEmail -Module "Deals`n" -Id $deal }; ErrorId = 'Zcrm.InvalidModule' }
        @{ Case = 'record id'; Script = { Get-ZcrmRecordEmail -Module Deals -Id '٤١٥٠٨٦٨' }; ErrorId = 'Zcrm.InvalidRecordId' }
        @{ Case = 'owner id'; Script = { Get-ZcrmRecordEmail -Module Deals -Id $deal -Type UserEmails -OwnerId "1`n" }; ErrorId = 'Zcrm.InvalidOwnerId' }
    ) {
        $run = Invoke-Captured $Script

        $run.Errors.Count | Should -Be 1
        $run.Errors[0].FullyQualifiedErrorId | Should -BeLike "$ErrorId,*"
        (Get-ZcrmSimulatorStat $sim).crmRequests | Should -Be 0
    }

    It 'refuses -ApiVersion with a trailing line break' {
        { Connect-Zcrm @connect -ApiVersion "v8`n" } | Should -Throw -ErrorId 'Zcrm.InvalidConfiguration,ZohoCrmEmails.Module.ConnectZcrmCommand'
    }

    It 'turns a 200 body <Body> into <ErrorId> for e-mails and for sharing' -ForEach @(
        @{ Body = '{}'; ErrorId = 'Zcrm.InvalidResponse' }
        @{ Body = '{"code":"NO_PERMISSION","details":{},"message":"permission denied","status":"error"}'; ErrorId = 'Zcrm.NO_PERMISSION' }
        @{ Body = '{"data":[{"code":"NO_PERMISSION","details":{},"message":"permission denied","status":"error"}]}'; ErrorId = 'Zcrm.NO_PERMISSION' }
        @{ Body = '{"Emails":[null],"__emails_sharing_details":[null]}'; ErrorId = 'Zcrm.InvalidResponse' }
    ) {
        Set-ZcrmSimulatorKnob $sim @{ overrideBody = $Body }

        $run = Invoke-Captured {
            Get-ZcrmRecordEmail Deals $deal
            Get-ZcrmEmailSharing Leads $leadWithSharing
        }

        $run.Output.Count | Should -Be 0
        @($run.Errors.FullyQualifiedErrorId) | Should -Be @("$ErrorId,ZohoCrmEmails.Module.GetZcrmRecordEmailCommand", "$ErrorId,ZohoCrmEmails.Module.GetZcrmEmailSharingCommand")
    }

    It 'hands out no e-mail twice when the server ignores the cursor' {
        Set-ZcrmSimulatorKnob $sim @{ ignoreCursor = $true }

        $run = Invoke-Captured { Get-ZcrmRecordEmail Deals $deal }

        $run.Output.Count | Should -Be 10
        @($run.Output.MessageId | Select-Object -Unique).Count | Should -Be 10
        $run.Errors[0].FullyQualifiedErrorId | Should -BeLike 'Zcrm.RepeatingCursor,*'
    }

    It 'names the message, not the record, when reading one e-mail fails' {
        Set-ZcrmSimulatorKnob $sim @{ detailAnswersAnotherEmail = $true }
        $id = (Get-ZcrmRecordEmail Deals $deal | Select-Object -First 1).MessageId

        $run = Invoke-Captured { Get-ZcrmRecordEmail Deals $deal -MessageId $id }

        $run.Output.Count | Should -Be 0
        $run.Errors[0].FullyQualifiedErrorId | Should -BeLike 'Zcrm.InvalidResponse,*'
        $run.Errors[0].TargetObject | Should -Be $id
    }
}

Describe 'Tokens' {
    BeforeEach {
        Reset-ZcrmSimulator $sim
    }

    It 'uses a token that lives 30 s for the whole listing, not one renewal per page' {
        Set-ZcrmSimulatorKnob $sim @{ tokenLifetimeSeconds = 30 }
        Connect-Zcrm @connect

        @(Get-ZcrmRecordEmail Accounts $largeAccount).Count | Should -Be 150
        (Get-ZcrmSimulatorStat $sim).tokenRequests | Should -Be 1
    }
}

Describe 'Traces' {
    BeforeEach {
        Reset-ZcrmSimulator $sim
        Connect-Zcrm @connect
    }

    It 'writes each request''s line from the cmdlet that made it, in either position of a pipeline' {
        Set-ZcrmSimulatorKnob $sim @{ defaultEmailCount = 2 }
        $id = @(Get-TestRecordId 1)[0]
        $first = Invoke-Captured { Get-ZcrmRecordEmail Deals $id -Verbose | Get-ZcrmEmailSharing }
        $second = Invoke-Captured { Get-ZcrmRecordEmail Deals $id | Get-ZcrmEmailSharing -Verbose }

        $lines = @($first.All | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] -and $_.Message -like 'GET /crm/*' })
        $lines.Count | Should -Be 1
        $lines[0].Message | Should -Match '/Emails -> 200'
        $lines[0].InvocationInfo.MyCommand.Name | Should -Be 'Get-ZcrmRecordEmail'

        $lines = @($second.All | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] -and $_.Message -like 'GET /crm/*' })
        $lines.Count | Should -Be 2
        $lines | ForEach-Object {
            $_.Message | Should -Match '/__emails_sharing_details -> 200'
            $_.InvocationInfo.MyCommand.Name | Should -Be 'Get-ZcrmEmailSharing'
        }
    }
}
