BeforeAll {
    . ([System.IO.Path]::Combine($PSScriptRoot, 'TestSetup.ps1'))
}

AfterAll {
    Disconnect-Zcrm
    Stop-ZcrmSimulator $sim
}

Describe 'Get-ZcrmRecordEmail' {
    BeforeEach {
        Reset-ZcrmSimulator $sim
        Connect-Zcrm @connect
    }

    It 'writes typed e-mails with every documented property' {
        $mails = @(Get-ZcrmRecordEmail -Module Deals -Id $deal)

        $mails.Count | Should -Be 25
        $mails[0].PSObject.TypeNames[0] | Should -Be 'ZohoCrmEmails.Models.ZcrmEmail'
        $names = $mails[0].PSObject.Properties.Name
        foreach ($p in 'Module', 'RecordId', 'MessageId', 'Subject', 'From', 'To', 'Cc', 'Time', 'Sent', 'Read', 'Bounced', 'Opened',
            'Status', 'HasAttachment', 'Owner', 'Source', 'Intent', 'Sentiment', 'Emotion', 'Content', 'MailFormat', 'Attachments',
            'ThreadId', 'SentTime', 'ReplyTo') {
            $names | Should -Contain $p
        }
        $mails[0].Module | Should -Be 'Deals'
        $mails[0].RecordId | Should -Be $deal
        $mails[0].Time | Should -BeOfType [datetimeoffset]
        "$($mails[0].From)" | Should -Be 'Pat Boyle <pat@crm.example.com>'
        (Get-ZcrmSimulatorStat $sim).listRequests | Should -Be 3
    }

    It 'Select-Object -First 3 makes exactly one request and raises nothing' {
        $run = Invoke-Captured { Get-ZcrmRecordEmail -Module Deals -Id $deal | Select-Object -First 3 }

        $run.Output.Count | Should -Be 3
        $run.Errors | Should -BeNullOrEmpty
        (Get-ZcrmSimulatorStat $sim).listRequests | Should -Be 1
    }

    It 'writes the first e-mail as soon as the first page is read' {
        $requestsAtFirst = $null
        Get-ZcrmRecordEmail -Module Accounts -Id $largeAccount | ForEach-Object {
            if ($null -eq $requestsAtFirst) { $requestsAtFirst = (Get-ZcrmSimulatorStat $sim).listRequests }
        }

        $requestsAtFirst | Should -Be 1
        (Get-ZcrmSimulatorStat $sim).listRequests | Should -Be 15
    }

    It 'filters on the derived Bounced property with Where-Object' {
        $bounced = @(Get-ZcrmRecordEmail Deals $deal | Where-Object Bounced)

        $bounced.Count | Should -Be 4
        $bounced | ForEach-Object { $_.Status.Type | Should -Contain 'bounced' }
    }

    It 'binds Module and Id from Import-Csv rows by property name' {
        Set-ZcrmSimulatorKnob $sim @{ defaultEmailCount = 3 }
        $csv = Join-Path $TestDrive 'records.csv'
        @'
Module,Id
Deals,4150868000000000011
Leads,3652397000001790111
Contacts,3652397000001790222
'@ | Set-Content -Path $csv

        $mails = @(Import-Csv $csv | Get-ZcrmRecordEmail -Type SentFromCrm)

        $mails.Count | Should -Be 9
        ($mails | ForEach-Object { "$($_.Module)/$($_.RecordId)" } | Select-Object -Unique) |
            Should -Be @('Deals/4150868000000000011', 'Leads/3652397000001790111', 'Contacts/3652397000001790222')
        $lists = @(Get-ZcrmSimulatorLog $sim | Where-Object { $_ -like 'GET /crm/*' })
        $lists.Count | Should -Be 3
        $lists | ForEach-Object { $_ | Should -Match '\?type=sent_from_crm$' }
    }

    It 'binds the ModuleApiName and RecordId property names too' {
        Set-ZcrmSimulatorKnob $sim @{ defaultEmailCount = 2 }
        $mails = @([pscustomobject]@{ ModuleApiName = 'Contacts'; RecordId = '3652397000001790222' } | Get-ZcrmRecordEmail)

        $mails.Count | Should -Be 2
        $mails[0].Module | Should -Be 'Contacts'
    }

    It 'binds record ids from the pipeline by value' {
        Set-ZcrmSimulatorKnob $sim @{ defaultEmailCount = 2 }
        $mails = @(Get-TestRecordId 2 | Get-ZcrmRecordEmail -Module Deals)

        $mails.Count | Should -Be 4
    }

    It 'reads listed e-mails in full when they are piped back in' {
        $full = @(Get-ZcrmRecordEmail Deals $deal | Select-Object -First 4 | Get-ZcrmRecordEmail)

        $full.Count | Should -Be 4
        $full | ForEach-Object {
            $_.PSObject.TypeNames[0] | Should -Be 'ZohoCrmEmails.Models.ZcrmEmail#Detail'
            $_.Content | Should -Not -BeNullOrEmpty
            $_.MailFormat | Should -Not -BeNullOrEmpty
        }
        $full[3].MessageId | Should -BeLike '<*'    # an id that needs escaping in the URL path
        (Get-ZcrmSimulatorStat $sim).detailRequests | Should -Be 4
    }

    It 'reads one e-mail by -MessageId' {
        $id = (Get-ZcrmRecordEmail Deals $deal | Select-Object -First 1).MessageId
        $one = Get-ZcrmRecordEmail -Module Deals -Id $deal -MessageId $id

        $one.MessageId | Should -Be $id
        $one.Content | Should -Not -BeNullOrEmpty
    }

    It '-IncludeContent reads every body, in API order' {
        $mails = @(Get-ZcrmRecordEmail Deals $deal -IncludeContent)

        $mails.Count | Should -Be 25
        @($mails | Where-Object { $null -eq $_.Content }).Count | Should -Be 0
        $mails[0].Subject | Should -Match ' mail 1:'
        $mails[24].Subject | Should -Match ' mail 25:'
        (Get-ZcrmSimulatorStat $sim).detailRequests | Should -Be 25
    }

    It 'a record without e-mail gives no output and no error' {
        $run = Invoke-Captured { Get-ZcrmRecordEmail Deals $emptyRecord }

        $run.Output.Count | Should -Be 0
        $run.Errors | Should -BeNullOrEmpty
    }

    It 'exports readable addresses and statuses with Export-Csv' {
        $csv = Join-Path $TestDrive 'mails.csv'
        Get-ZcrmRecordEmail Deals $deal | Select-Object -First 3 | Export-Csv $csv
        $rows = @(Import-Csv $csv)

        $rows.Count | Should -Be 3
        $rows[1].To | Should -Match '^[^;]+ <[^>]+>; [^;]+ <[^>]+>$'
        $rows[1].Status | Should -Be 'sent; opened'
        $rows[2].Bounced | Should -Be 'True'
    }
}

Describe '-ThrottleLimit' {
    BeforeEach {
        Reset-ZcrmSimulator $sim
        Connect-Zcrm @connect
    }

    It 'works on several records at once and keeps input order, each record together and in API order' {
        Set-ZcrmSimulatorKnob $sim @{ defaultEmailCount = 12; latencyMs = 5 }
        $ids = @(Get-TestRecordId 12)

        $mails = @($ids | Get-ZcrmRecordEmail -Module Deals -ThrottleLimit 6)

        $mails.Count | Should -Be 144
        $expected = foreach ($id in $ids) { foreach ($n in 1..12) { $id } }
        ($mails | ForEach-Object RecordId) | Should -Be $expected
        foreach ($id in $ids) {
            ($mails | Where-Object RecordId -EQ $id | ForEach-Object { [int]($_.Subject -replace '^.* mail (\d+):.*$', '$1') }) |
                Should -Be (1..12)
        }
        $stats = Get-ZcrmSimulatorStat $sim
        $stats.peakInFlight | Should -BeLessOrEqual 6
        $stats.peakInFlight | Should -BeGreaterThan 1
    }

    It 'never has more requests in flight than the limit' -ForEach @(@{ Limit = 1 }, @{ Limit = 3 }) {
        Set-ZcrmSimulatorKnob $sim @{ defaultEmailCount = 25; latencyMs = 5 }

        $null = Get-TestRecordId 8 | Get-ZcrmRecordEmail -Module Deals -ThrottleLimit $Limit -IncludeContent

        (Get-ZcrmSimulatorStat $sim).peakInFlight | Should -BeLessOrEqual $Limit
    }

    It 'refuses a limit outside 1..25' -ForEach @(@{ Limit = 0 }, @{ Limit = 26 }) {
        { Get-ZcrmRecordEmail -Module Deals -Id $deal -ThrottleLimit $Limit } |
            Should -Throw -ErrorId 'ParameterArgumentValidationError,ZohoCrmEmails.Module.GetZcrmRecordEmailCommand'
    }
}

Describe 'Get-ZcrmEmailSharing' {
    BeforeEach {
        Reset-ZcrmSimulator $sim
        Connect-Zcrm @connect
    }

    It 'writes a typed sharing object' {
        $s = Get-ZcrmEmailSharing -Module Leads -Id $leadWithSharing

        $s.PSObject.TypeNames[0] | Should -Be 'ZohoCrmEmails.Models.ZcrmEmailSharing'
        $s.Module | Should -Be 'Leads'
        $s.RecordId | Should -Be $leadWithSharing
        $s.AvailableTypes | Should -Not -BeNullOrEmpty
        $s.ShareFromUsers.Count | Should -Be 3
        $s.ShareFromUsers[0].Id | Should -Match '^\d+$'
        $s.ShareFromUsers[0].Name | Should -Not -BeNullOrEmpty
        $s.ShareFromUsers[0].Type | Should -Not -BeNullOrEmpty
    }

    It 'binds by property name and reports a NO_PERMISSION record without stopping' {
        $rows = @(
            [pscustomobject]@{ Module = 'Leads'; Id = $noPermission }
            [pscustomobject]@{ Module = 'Leads'; Id = $leadWithSharing }
        )
        $run = Invoke-Captured { $rows | Get-ZcrmEmailSharing }

        $run.Output.Count | Should -Be 1
        $run.Errors.Count | Should -Be 1
        $run.Errors[0].FullyQualifiedErrorId | Should -Be 'Zcrm.NO_PERMISSION,ZohoCrmEmails.Module.GetZcrmEmailSharingCommand'
    }
}
