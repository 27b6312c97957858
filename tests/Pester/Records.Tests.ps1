# The whole org without an export: Get-ZcrmRecord, records piped into every cmdlet that takes one, and the archive
# sweep of a module that a scheduled task runs night after night.
BeforeAll {
    . ([System.IO.Path]::Combine($PSScriptRoot, 'TestSetup.ps1'))
    # What a sweep of Deals should have archived: every e-mail of every listed record, once.
    function Get-ExpectedEmail([int] $Records, [int] $Max) {
        $n = 0
        foreach ($i in 1..$Records) { if ($i % 3 -ne 0) { $n += 1 + ([long]$i * 7919 % $Max) } }
        $n
    }
}

AfterAll {
    Disconnect-Zcrm
    Stop-ZcrmSimulator $sim
}

Describe 'Get-ZcrmRecord' {
    BeforeEach {
        Reset-ZcrmSimulator $sim
        Connect-Zcrm @connect
    }

    It 'writes typed records with each field asked for as a property, ready for a CSV' {
        Set-ZcrmSimulatorKnob $sim @{ recordCount = 30 }

        $records = @(Get-ZcrmRecord Deals -Fields Deal_Name, Amount, Owner, Last_Activity_Time)

        $records.Count | Should -Be 30
        $records[0] | Should -BeOfType ([ZohoCrmEmails.Models.ZcrmRecord])
        $records[0].Module | Should -Be 'Deals'
        $records[0].Id | Should -Be (Get-ZcrmSimulatorRecordId 1)
        $records[0].ModifiedTime | Should -BeOfType ([datetimeoffset])
        $records[0].Deal_Name | Should -Be 'Deals deal 1'
        $records[0].Amount | Should -Be 1000
        $records[0].Last_Activity_Time | Should -BeOfType ([datetimeoffset])
        $csv = $records | Select-Object -First 2 | ConvertTo-Csv
        $csv[0] | Should -Be '"Deal_Name","Amount","Owner","Last_Activity_Time","Module","Id","ModifiedTime","Fields"'
        ($csv -join "`n") | Should -Not -Match 'System\.|ZohoCrmEmails\.'
        $csv[1] | Should -BeLike '*"{""name"":""Pat Boyle"",""id"":""4150868000000225013""}"*'
        ($records[0] | Format-Table | Out-String) | Should -Match 'Deal_Name=Deals deal 1'
    }

    It 'makes one request for Select-Object -First 5' {
        Set-ZcrmSimulatorKnob $sim @{ recordCount = 1000 }

        $first = @(Get-ZcrmRecord Deals | Select-Object -First 5)

        $first.Count | Should -Be 5
        (Get-ZcrmSimulatorStat $sim).recordRequests | Should -Be 1
    }

    It 'reads every record once past the page walk''s and the token walk''s caps' {
        Set-ZcrmSimulatorKnob $sim @{ recordCount = 700; recordsPageCap = 40; recordsTokenCap = 300; coqlMaxLimit = 150 }

        $run = Invoke-Captured { Get-ZcrmRecord Deals }

        $run.Errors | Should -BeNullOrEmpty
        $run.Output.Count | Should -Be 700
        @($run.Output.Id | Select-Object -Unique).Count | Should -Be 700
        ($run.Output.Id -join ',') | Should -Be ((Get-ZcrmSimulatorRecordId (1..700)) -join ',')
        (Get-ZcrmSimulatorStat $sim).coqlRequests | Should -BeGreaterThan 0
    }

    It 'gives zero records and no error when nothing was modified since (<How>)' -ForEach @(@{ How = '304' }, @{ How = '204' }, @{ How = '200' }) {
        Set-ZcrmSimulatorKnob $sim @{ recordCount = 30; recordsEmptyAs = $How }

        $run = Invoke-Captured { Get-ZcrmRecord Deals -ModifiedSince (Get-Date) }

        $run.Output | Should -BeNullOrEmpty
        $run.Errors | Should -BeNullOrEmpty
        @(Get-ZcrmSimulatorLog $sim | Where-Object { $_ -like 'GET /crm/v8/Deals?*' }).Count | Should -Be 1
    }

    It 'finds the records an e-mail arrived on since a time' {
        Set-ZcrmSimulatorKnob $sim @{ recordCount = 100 }
        $since = (Get-Date).AddMinutes(-1)
        Get-ZcrmSimulatorRecordId 5, 50 | Add-ZcrmSimulatorEmail $sim

        (Get-ZcrmRecord Deals -ModifiedSince $since).Id | Should -Be (Get-ZcrmSimulatorRecordId 5, 50)
    }

    It 'selects with a COQL criteria, and quotes the clause Zoho names when it refuses one' {
        Set-ZcrmSimulatorKnob $sim @{ recordCount = 60 }

        @(Get-ZcrmRecord Deals -Criteria "Stage = 'Closed Won' and Amount > 30000").Count | Should -Be 7
        $run = Invoke-Captured { Get-ZcrmRecord Deals -Criteria "Stagee = 'Closed Won'" }

        $run.Errors.Count | Should -Be 1
        $run.Errors[0].FullyQualifiedErrorId | Should -Be 'Zcrm.INVALID_QUERY,ZohoCrmEmails.Module.GetZcrmRecordCommand'
        $run.Errors[0].ErrorDetails.Message | Should -BeLike "Deals: *(column_name: Stagee; clause: where)*The query sent: select id, Modified_Time from Deals where (Stagee = 'Closed Won')*"
    }

    It 'names the COQL scope when the token lacks it' {
        Set-ZcrmSimulatorKnob $sim @{ recordCount = 10; coqlScopeMissing = $true }

        $run = Invoke-Captured { try { Get-ZcrmRecord Deals -Criteria 'Amount > 1' } catch { $_ } }

        $run.Errors[0].FullyQualifiedErrorId | Should -BeLike 'Zcrm.OAUTH_SCOPE_MISMATCH,*'
        $run.Errors[0].Exception.Message | Should -BeLike '*ZohoCRM.coql.READ*'
    }

    It 'refuses <Bad> before any request, with <ErrorId>' -ForEach @(
        @{ Bad = 'an empty module'; Arguments = @{ Module = '' }; ErrorId = 'Zcrm.InvalidModule' }
        @{ Bad = 'a module that cannot be one'; Arguments = @{ Module = '../Deals' }; ErrorId = 'Zcrm.InvalidModule' }
        @{ Bad = 'a custom view id that is not digits'; Arguments = @{ Module = 'Deals'; CustomViewId = 'view-1' }; ErrorId = 'Zcrm.InvalidCustomViewId' }
        @{ Bad = 'an empty criteria'; Arguments = @{ Module = 'Deals'; Criteria = '  ' }; ErrorId = 'Zcrm.InvalidCriteria' }
        @{ Bad = 'a field that is not an API name'; Arguments = @{ Module = 'Deals'; Fields = 'Deal Name' }; ErrorId = 'Zcrm.InvalidField' }
        @{ Bad = 'a custom view with a criteria'; Arguments = @{ Module = 'Deals'; CustomViewId = '4150868000000087501'; Criteria = 'Amount > 1' }; ErrorId = 'Zcrm.InvalidParameterCombination' }
    ) {
        $run = Invoke-Captured { Get-ZcrmRecord @Arguments }

        $run.Errors.Count | Should -Be 1
        $run.Errors[0].FullyQualifiedErrorId | Should -Be "$ErrorId,ZohoCrmEmails.Module.GetZcrmRecordCommand"
        (Get-ZcrmSimulatorStat $sim).crmRequests | Should -Be 0
    }

    It 'binds by property name into <Command>' -ForEach @(
        @{ Command = 'Get-ZcrmRecordEmail'; Script = { $records | Get-ZcrmRecordEmail }; Count = 23 }
        @{ Command = 'Get-ZcrmEmailSharing'; Script = { $records | Get-ZcrmEmailSharing }; Count = 3 }
        @{ Command = 'Export-ZcrmEmail'; Script = { $records | Export-ZcrmEmail -Path $dir -NoAttachments }; Count = 23 }
        @{ Command = 'Save-ZcrmEmailAttachment'; Script = { $records | Save-ZcrmEmailAttachment -Path $dir }; Count = 12 }
    ) {
        # 1 + 7919 % 12 = 12 e-mails, 1 + 15838 % 12 = 11, the third none; e-mails 0, 4, 8 of each have two attachments.
        Set-ZcrmSimulatorKnob $sim @{ recordCount = 3; recordEmailsMax = 12 }
        $records = @(Get-ZcrmRecord Deals)
        $dir = Join-Path $TestDrive ([guid]::NewGuid().ToString('N'))

        $run = Invoke-Captured $Script

        $run.Errors | Should -BeNullOrEmpty
        $run.Output.Count | Should -Be $Count
    }

    It 'lets the e-mail cmdlets read the first records'' e-mails while record pages still arrive' {
        Set-ZcrmSimulatorKnob $sim @{ recordCount = 2000; recordEmailsMax = 5 }

        $first = @(Get-ZcrmRecord Deals | Get-ZcrmRecordEmail | Select-Object -First 3)

        $first.Count | Should -Be 3
        $stats = Get-ZcrmSimulatorStat $sim
        $stats.recordRequests | Should -BeLessOrEqual 3
        $stats.listRequests | Should -BeLessOrEqual 30
    }
}

Describe 'A sweep of a whole module, night after night' {
    BeforeEach {
        Reset-ZcrmSimulator $sim
        Set-ZcrmSimulatorKnob $sim @{ recordCount = 90; recordEmailsMax = 9 }
        Connect-Zcrm @connect
        $dir = Join-Path $TestDrive ([guid]::NewGuid().ToString('N'))
        $expected = Get-ExpectedEmail 90 9
    }

    It 'archives every e-mail of the module, then only what changed, each once' {
        $first = Invoke-Captured { Export-ZcrmEmail -Module Deals -All -Path $dir -NoAttachments -Verbose }

        $first.Errors | Should -BeNullOrEmpty
        $first.Output.Count | Should -Be $expected
        $first.Verbose | Where-Object { $_ -like 'The sweep of Deals is complete: 90 records finished in this run.*' } | Should -Not -BeNullOrEmpty
        Reset-ZcrmSimulator $sim
        Set-ZcrmSimulatorKnob $sim @{ recordCount = 90; recordEmailsMax = 9 }
        Connect-Zcrm @connect
        Get-ZcrmSimulatorRecordId 4, 40, 80 | Add-ZcrmSimulatorEmail $sim

        $second = Invoke-Captured { Export-ZcrmEmail -Module Deals -All -Path $dir -NoAttachments }

        $second.Errors | Should -BeNullOrEmpty
        $second.Output.Count | Should -Be 3
        ($second.Output.RecordId | Sort-Object) | Should -Be (Get-ZcrmSimulatorRecordId 4, 40, 80)
        $stats = Get-ZcrmSimulatorStat $sim
        $stats.coqlRequests | Should -Be 1          # the records changed, by Last_Activity_Time or Modified_Time
        $stats.recordRequests | Should -Be 0
        $stats.listRequests | Should -Be 3          # those three records' e-mails only
        $stats.detailRequests | Should -Be 3        # the three new e-mails
        $rows = @(Get-IndexRow $dir)
        $rows.Count | Should -Be ($expected + 3)
        @($rows.MessageId | Select-Object -Unique).Count | Should -Be $rows.Count
        Test-ZcrmArchive -Path $dir | Should -BeNullOrEmpty
    }

    It 'leaves the since point where it was after a reserve stop, and the next run resumes without listing the records finished' {
        Set-ZcrmSimulatorKnob $sim @{ recordCount = 90; recordEmailsMax = 9; creditsTotal = 120 }
        Connect-Zcrm @connect -ApiCreditReserve 40 -MaxConcurrentRequests 2

        $cut = Invoke-Captured { try { Export-ZcrmEmail -Module Deals -All -Path $dir -NoAttachments -ThrottleLimit 1 } catch { $_ } }

        $cut.Errors[-1].FullyQualifiedErrorId | Should -Be 'Zcrm.CreditReserveReached,ZohoCrmEmails.Module.ExportZcrmEmailCommand'
        $cut.Output.Count | Should -BeLessThan $expected
        $log = Get-Content (Get-ChildItem $dir -Filter 'zcrm-sweep-Deals-*.log').FullName
        $log[1] | Should -BeLike 'begin * all'
        $done = @($log | Where-Object { $_ -like 'done *' }).Count
        $done | Should -BeGreaterThan 0
        # The next night: credits back.
        Reset-ZcrmSimulator $sim
        Set-ZcrmSimulatorKnob $sim @{ recordCount = 90; recordEmailsMax = 9 }
        Connect-Zcrm @connect

        $rest = Invoke-Captured { Export-ZcrmEmail -Module Deals -All -Path $dir -NoAttachments }

        $rest.Errors | Should -BeNullOrEmpty
        # A resumed sweep lists the records again (a request for 200), but not the e-mails of those it finished.
        (Get-ZcrmSimulatorStat $sim).recordRequests | Should -Be 1
        (Get-ZcrmSimulatorStat $sim).listRequests | Should -BeLessOrEqual (90 - $done)
        $rows = @(Get-IndexRow $dir)
        $rows.Count | Should -Be $expected
        @($rows.MessageId | Select-Object -Unique).Count | Should -Be $expected
        (Get-Content (Get-ChildItem $dir -Filter 'zcrm-sweep-Deals-*.log').FullName)[1] | Should -BeLike 'complete *'
        Test-ZcrmArchive -Path $dir | Should -BeNullOrEmpty
    }

    It 'is finished by the next run after a kill, every e-mail archived once' {
        Set-ZcrmSimulatorKnob $sim @{ recordCount = 90; recordEmailsMax = 9; latencyMs = 10 }
        $job = Start-ModuleProcess "Export-ZcrmEmail -Module Deals -All -Path '$dir' -NoAttachments -ThrottleLimit 2 | Out-Null"
        try {
            Wait-Until -What 'a third of the e-mails read' { (Get-ZcrmSimulatorStat $sim).detailRequests -ge ($expected / 3) }
        }
        finally {
            $job.Kill()
            $job.WaitForExit(30000) | Should -BeTrue
        }
        $before = @(Get-IndexRow $dir).Count
        $before | Should -BeLessThan $expected
        Set-ZcrmSimulatorKnob $sim @{ recordCount = 90; recordEmailsMax = 9 }

        $rest = Invoke-Captured { Export-ZcrmEmail -Module Deals -All -Path $dir -NoAttachments -Verbose }

        $rest.Errors | Should -BeNullOrEmpty
        $rest.Verbose | Where-Object { $_ -like 'Sweeping every record of Deals, going on with the sweep begun *' } | Should -Not -BeNullOrEmpty
        $rows = @(Get-IndexRow $dir)
        $rows.Count | Should -Be $expected
        @($rows.MessageId | Select-Object -Unique).Count | Should -Be $expected
        Test-ZcrmArchive -Path $dir | Should -BeNullOrEmpty
        @(Get-ChildItem $dir -Force | Where-Object Name -Like '.zcrm-*').Count | Should -Be 0
    }

    It 'says with -WhatIf what it would list and cost, with the count as its only request' {
        # What-if text goes to the host, not a stream: a pwsh of its own prints it.
        $job = Start-ModuleProcess "Save-ZcrmEmailAttachment -Module Deals -All -Path '$dir' -WhatIf" -KeepOutput
        $read = $job.StandardOutput.ReadToEndAsync()
        $read.Wait(60000) | Should -BeTrue
        $text = $read.Result

        $text | Should -BeLike '*What if: *Sweep every record of Deals: list the e-mails of 90 records*API credit*'
        $stats = Get-ZcrmSimulatorStat $sim
        $stats.countRequests | Should -Be 1
        $stats.crmRequests | Should -Be 1
        Test-Path $dir | Should -BeFalse
    }

    It 'misses mail that only moved Last_Activity_Time with -ChangeTime ModifiedTime, and finds it by default' {
        $null = Export-ZcrmEmail -Module Deals -All -Path $dir -NoAttachments
        Set-ZcrmSimulatorKnob $sim @{ recordCount = 90; recordEmailsMax = 9; newEmailMoves = 'activity' }
        Get-ZcrmSimulatorRecordId 10 | Add-ZcrmSimulatorEmail $sim
        $other = Join-Path $TestDrive ([guid]::NewGuid().ToString('N'))
        $null = Export-ZcrmEmail -Module Deals -All -Path $other -NoAttachments -ChangeTime ModifiedTime

        @(Export-ZcrmEmail -Module Deals -All -Path $other -NoAttachments -ChangeTime ModifiedTime).Count | Should -Be 0
        @(Export-ZcrmEmail -Module Deals -All -Path $dir -NoAttachments).Count | Should -Be 1
    }

    It 'refuses a second sweep of the module into the folder while one runs' {
        Set-ZcrmSimulatorKnob $sim @{ recordCount = 90; recordEmailsMax = 9; latencyMs = 20 }
        $job = Start-ModuleProcess "Export-ZcrmEmail -Module Deals -All -Path '$dir' -NoAttachments -ThrottleLimit 1 | Out-Null"
        try {
            Wait-Until -What 'the first sweep under way' { (Get-ZcrmSimulatorStat $sim).detailRequests -ge 1 }
            $second = Invoke-Captured { try { Export-ZcrmEmail -Module Deals -All -Path $dir -NoAttachments } catch { $_ } }
        }
        finally {
            $job.Kill()
            $null = $job.WaitForExit(30000)
        }

        $second.Errors.Count | Should -Be 1
        $second.Errors[0].FullyQualifiedErrorId | Should -Be 'Zcrm.SweepInProgress,ZohoCrmEmails.Module.ExportZcrmEmailCommand'
    }
}
