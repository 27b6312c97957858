# The module as a nightly job uses it: Zoho's own export as input, the org's daily credits, a reserve left for others,
# transient refusals, a server that is down, and calls that must end whatever the server answers.
BeforeAll {
    . ([System.IO.Path]::Combine($PSScriptRoot, 'TestSetup.ps1'))
}

AfterAll {
    Disconnect-Zcrm
    Stop-ZcrmSimulator $sim
}

Describe "Zoho's export as input" {
    BeforeEach {
        Reset-ZcrmSimulator $sim
        Set-ZcrmSimulatorKnob $sim @{ defaultEmailCount = 3 }
        Connect-Zcrm @connect
    }

    It 'reads records named zcrm_ and their digits, as Zoho exports them' {
        $run = Invoke-Captured { Get-ZcrmRecordEmail Deals "zcrm_$deal" }

        $run.Errors.Count | Should -Be 0
        $run.Output.Count | Should -Be 25
        $run.Output[0].RecordId | Should -Be $deal
    }

    It 'binds the Record Id column of an export, and names the value that is not an id' {
        $ids = @(Get-TestRecordId 2)
        $csv = Join-Path $TestDrive 'export.csv'
        @(
            [pscustomobject]@{ 'Record Id' = "zcrm_$($ids[0])"; 'Deal Name' = 'Acme renewal'; Amount = '1000' }
            [pscustomobject]@{ 'Record Id' = 'zcrm_12ab'; 'Deal Name' = 'Broken row'; Amount = '5' }
            [pscustomobject]@{ 'Record Id' = "zcrm_$($ids[1])"; 'Deal Name' = 'Beta'; Amount = '7' }
        ) | Export-Csv $csv -NoTypeInformation

        $run = Invoke-Captured { Import-Csv $csv | Get-ZcrmRecordEmail -Module Deals }

        $run.Output.Count | Should -Be 6
        ($run.Output.RecordId | Select-Object -Unique) | Should -Be $ids
        $run.Errors.Count | Should -Be 1
        $run.Errors[0].FullyQualifiedErrorId | Should -BeLike 'Zcrm.InvalidRecordId,*'
        $run.Errors[0].Exception.Message | Should -BeLike "'zcrm_12ab' is not a record id*"
        $run.Errors[0].Exception.Message | Should -Not -BeLike '*@{*'
    }

    It 'says a piped row has no record id column, naming its columns rather than printing the row' {
        $run = Invoke-Captured { [pscustomobject]@{ 'Deal Name' = 'Acme'; Amount = '1000' } | Get-ZcrmRecordEmail -Module Deals }

        $run.Errors.Count | Should -Be 1
        $run.Errors[0].FullyQualifiedErrorId | Should -BeLike 'Zcrm.InvalidRecordId,*'
        $run.Errors[0].Exception.Message | Should -BeLike '*no record id*Deal Name, Amount*'
        $run.Errors[0].Exception.Message | Should -Not -BeLike '*@{*'
        (Get-ZcrmSimulatorStat $sim).crmRequests | Should -Be 0
    }

    It 'takes zcrm_ ids and the Record Id column in the archive cmdlets too' {
        $id = (Get-ZcrmRecordEmail Deals $deal | Select-Object -First 1).MessageId
        $dir = Join-Path $TestDrive ([guid]::NewGuid().ToString('N'))

        $files = @([pscustomobject]@{ Module = 'Deals'; 'Record Id' = "zcrm_$deal"; MessageId = $id } | Save-ZcrmEmailAttachment -Path $dir)

        $files.Count | Should -Be 2
        $files[0].RecordId | Should -Be $deal
    }
}

Describe 'The day''s API credits' {
    BeforeEach {
        Reset-ZcrmSimulator $sim
    }

    It 'stops spending once Zoho refuses everything: 200 records, credits out after 30, at most 40 refused' {
        Set-ZcrmSimulatorKnob $sim @{ defaultEmailCount = 5; creditsTotal = 30 }
        Connect-Zcrm @connect
        $ids = @(Get-TestRecordId 200)

        $run = Invoke-Captured { $ids | Get-ZcrmRecordEmail -Module Deals -ThrottleLimit 10 }

        (Get-ZcrmSimulatorStat $sim).refusedRequests | Should -BeLessOrEqual 40
        $read = @($run.Output | ForEach-Object RecordId | Select-Object -Unique)
        $read.Count | Should -Be 30
        $run.Errors.Count | Should -Be 170                 # every record not read has its own error
        ($run.Errors.TargetObject + $read | Sort-Object) | Should -Be ($ids | Sort-Object)
        $run.Errors | ForEach-Object { $_.FullyQualifiedErrorId | Should -BeLike 'Zcrm.TOO_MANY_REQUESTS,*' }
        $run.Errors[-1].ErrorDetails.Message | Should -BeLike "Deals/$($ids[-1]): Not sent: *"
        # Each record read was read whole.
        $run.Output | Group-Object RecordId | ForEach-Object { $_.Count | Should -Be 5 }
    }

    It 'leaves the reserve: 100 credits, a reserve of 40, -ThrottleLimit 4: at most 70 spent, none refused' {
        Set-ZcrmSimulatorKnob $sim @{ defaultEmailCount = 5; creditsTotal = 100 }
        Connect-Zcrm @connect -ApiCreditReserve 40
        $ids = @(Get-TestRecordId 200)

        # Terminating: caught as a script catches it.
        $run = Invoke-Captured { try { $ids | Get-ZcrmRecordEmail -Module Deals -ThrottleLimit 4 } catch { $_ } }

        $stats = Get-ZcrmSimulatorStat $sim
        $stats.crmRequests | Should -BeLessOrEqual 70
        $stats.refusedRequests | Should -Be 0
        $run.Errors.Count | Should -Be 1                  # terminating: the command ends
        $run.Errors[0].FullyQualifiedErrorId | Should -Be 'Zcrm.CreditReserveReached,ZohoCrmEmails.Module.GetZcrmRecordEmailCommand'
        $run.Errors[0].Exception.Message | Should -Match "reports \d+ API credits left today, at or below the connection's reserve of 40"
        $run.Errors[0].ErrorDetails.RecommendedAction | Should -BeLike '*Connect-Zcrm -ApiCreditReserve*'
        $run.Output.Count | Should -BeGreaterOrEqual 300
    }

    It 'shows the credits left on -Verbose when Zoho reports them, once per change' {
        Set-ZcrmSimulatorKnob $sim @{ creditsRemaining = 4242 }
        Connect-Zcrm @connect

        $run = Invoke-Captured { Get-ZcrmRecordEmail Deals $deal -Verbose }

        @($run.Verbose | Where-Object { $_ -eq 'Zoho API credits remaining today: 4242' }).Count | Should -Be 1
    }

    It 'retries CANNOT_PROCESS, and when it persists says what Zoho put in details' {
        Connect-Zcrm @connect -MaximumRetryCount 1
        Set-ZcrmSimulatorKnob $sim @{ cannotProcessCount = 1 }
        (Invoke-Captured { Get-ZcrmRecordEmail Deals $deal }).Output.Count | Should -Be 25

        Set-ZcrmSimulatorKnob $sim @{ cannotProcessCount = 100 }
        $run = Invoke-Captured { Get-ZcrmRecordEmail Deals $deal }

        $run.Errors.Count | Should -Be 1
        $run.Errors[0].FullyQualifiedErrorId | Should -BeLike 'Zcrm.CANNOT_PROCESS,*'
        $run.Errors[0].ErrorDetails.Message | Should -BeLike "Deals/${deal}: *An IMAP sync is in progress*"
    }
}

Describe 'Every call ends' {
    BeforeEach {
        Reset-ZcrmSimulator $sim
        $dir = Join-Path $TestDrive ([guid]::NewGuid().ToString('N'))
    }

    It 'ends when no attachment matches -Name <Name>' -ForEach @(@{ Name = 'x*' }, @{ Name = '*.png' }) {
        $run = Invoke-WithDeadline -Variables @{ connect = $connect; deal = $deal; dir = $dir; name = $Name } {
            Connect-Zcrm @connect
            Get-ZcrmRecordEmail -Module Deals -Id $deal | Where-Object HasAttachment | Save-ZcrmEmailAttachment -Path $dir -Name $name
        }

        $run.Output.Count | Should -Be 0
        $run.Errors.Count | Should -Be 0
        (Get-ZcrmSimulatorStat $sim).downloadRequests | Should -Be 0
    }

    It 'ends when an e-mail lacks the -AttachmentId asked for, with an error for each' {
        $run = Invoke-WithDeadline -Variables @{ connect = $connect; deal = $deal; dir = $dir } {
            Connect-Zcrm @connect
            Get-ZcrmRecordEmail -Module Deals -Id $deal | Where-Object HasAttachment | Save-ZcrmEmailAttachment -Path $dir -AttachmentId 'nope'
        }

        $run.Output.Count | Should -Be 0
        $run.Errors.Count | Should -Be 7
        $run.Errors | ForEach-Object { $_.FullyQualifiedErrorId | Should -BeLike 'Zcrm.AttachmentNotFound,*' }
    }

    It 'gives zero objects and no error for an empty sharing answer (<How>)' -ForEach @(@{ How = 'array' }, @{ How = '204' }) {
        Set-ZcrmSimulatorKnob $sim @{ sharingEmpty = $How }
        $run = Invoke-WithDeadline -Variables @{ connect = $connect; lead = $leadWithSharing } {
            Connect-Zcrm @connect
            Get-ZcrmEmailSharing -Module Leads -Id $lead
            Get-ZcrmEmailSharing -Module Leads -Id $lead, $lead
        }

        $run.Output.Count | Should -Be 0
        $run.Errors.Count | Should -Be 0
        (Get-ZcrmSimulatorStat $sim).sharingRequests | Should -Be 3
    }
}

Describe "Zoho's documented download and owner parameters" {
    BeforeEach {
        Reset-ZcrmSimulator $sim
        Connect-Zcrm @connect
        $dir = Join-Path $TestDrive ([guid]::NewGuid().ToString('N'))
    }

    It 'sends the attachment name, as listed and encoded, with every download' {
        Set-ZcrmSimulatorKnob $sim @{ hostileAttachmentNames = $true }
        $files = @(Get-ZcrmRecordEmail Deals $deal | Select-Object -First 1 | Save-ZcrmEmailAttachment -Path $dir)

        $files.Count | Should -Be 14
        $downloads = @(Get-ZcrmSimulatorLog $sim | Where-Object { $_ -like '*download_attachments*' })
        $downloads.Count | Should -Be 14
        $downloads | ForEach-Object { $_ | Should -Match '&id=[^&]+&name=' }
        @($downloads -like '*&name=..%2F..%2Fescape.pdf').Count | Should -Be 1
    }

    It 'reads a shared user''s listed e-mails with the owner id the listing gave' {
        Set-ZcrmSimulatorKnob $sim @{ sharedOwnerId = '4150868000000225099' }
        $run = Invoke-Captured {
            Get-ZcrmRecordEmail Deals $deal -Type UserEmails -OwnerId 4150868000000225099 | Export-ZcrmEmail -Path (Join-Path $dir eml) -NoAttachments
            Get-ZcrmRecordEmail Deals $deal | Where-Object HasAttachment | Save-ZcrmEmailAttachment -Path (Join-Path $dir files)
            Get-ZcrmRecordEmail Deals $deal -IncludeContent | Select-Object -First 1
        }

        $run.Errors.Count | Should -Be 0
        @($run.Output | Where-Object { $_ -is [IO.FileInfo] -and $_.Extension -eq '.eml' }).Count | Should -Be 12
        @($run.Output | Where-Object { $_ -is [IO.FileInfo] -and $_.Extension -eq '.pdf' }).Count | Should -Be 14
        $log = @(Get-ZcrmSimulatorLog $sim)
        $details = @($log | Where-Object { $_ -match '/Emails/[^/?]+(\?|$)' -and $_ -notlike '*actions*' })
        $details.Count | Should -BeGreaterOrEqual (12 + 7 + 10)
        $details | ForEach-Object { $_ | Should -BeLike '*owner_id=4150868000000225099' }
        $downloads = @($log | Where-Object { $_ -like '*download_attachments*' })
        $downloads.Count | Should -Be 14
        $downloads | ForEach-Object { $_ | Should -BeLike '*user_id=4150868000000225099*' }
    }

    It 'reads a listed e-mail whose has_attachment is null rather than skip it' {
        Set-ZcrmSimulatorKnob $sim @{ nullFlags = $true }
        $listed = @(Get-ZcrmRecordEmail Deals $deal)
        $listed[0].HasAttachment | Should -BeNullOrEmpty

        $files = @($listed | Save-ZcrmEmailAttachment -Path $dir)

        $files.Count | Should -Be 14
        (Get-ZcrmSimulatorStat $sim).detailRequests | Should -Be 25
    }
}

Describe 'A server that is down' {
    It 'fails 100 piped records fast, each with its own error naming the cause' {
        $port = Get-ClosedPort
        $ids = @(Get-TestRecordId 100)
        $watch = [System.Diagnostics.Stopwatch]::StartNew()

        $run = Invoke-WithDeadline -Seconds 120 -Variables @{ at = $sim.AccessToken; port = $port; ids = $ids } {
            Connect-Zcrm -AccessToken $at -ApiDomain "http://127.0.0.1:$port"
            $ids | Get-ZcrmRecordEmail -Module Deals
        }

        Write-Host "    100 records against a closed port: $([int]$watch.Elapsed.TotalSeconds) s (goal: under 15 s)"
        $run.Errors.Count | Should -Be 100
        $run.Errors.TargetObject | Should -Be $ids
        $run.Errors | ForEach-Object { $_.FullyQualifiedErrorId | Should -BeLike 'Zcrm.ConnectionFailed,*' }
        $run.Errors[0].Exception.Message | Should -BeLike "The connection to 127.0.0.1:$port was refused*"
        $run.Errors[0].ErrorDetails.RecommendedAction | Should -Not -BeLike '*TimeoutSec*'
    }

    It 'fails Connect-Zcrm to a closed port after one retry, saying the connection was refused' {
        $port = Get-ClosedPort
        $c = $connect.Clone()
        $c.AccountsUrl = "http://127.0.0.1:$port"

        $err = { Connect-Zcrm @c -Verbose 4>$null } | Should -Throw -PassThru

        $err.FullyQualifiedErrorId | Should -Be 'Zcrm.ConnectionFailed,ZohoCrmEmails.Module.ConnectZcrmCommand'
        $err.ErrorDetails.Message | Should -BeLike "Connect-Zcrm to http://127.0.0.1:${port}: The connection to 127.0.0.1:$port was refused*"
    }
}
