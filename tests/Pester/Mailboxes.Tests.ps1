# Every mailbox of a record, Zoho's other calls through the same connection, and one bad e-mail failing alone.
BeforeAll {
    . ([System.IO.Path]::Combine($PSScriptRoot, 'TestSetup.ps1'))
}

AfterAll {
    Disconnect-Zcrm
    Stop-ZcrmSimulator $sim
}

Describe 'One listed e-mail that cannot be read' {
    BeforeEach {
        Reset-ZcrmSimulator $sim
        Connect-Zcrm @connect
        $dir = Join-Path $TestDrive ([guid]::NewGuid().ToString('N'))
    }

    It 'fails alone with -IncludeContent, naming it, when its message id is <How>' -ForEach @(
        @{ How = 'empty'; Named = '*an e-mail without a message id (subject *mail 5: quote follow-up*' }
        @{ How = 'absent'; Named = '*an e-mail without a message id (subject *mail 5: quote follow-up*' }
        @{ How = 'null'; Named = '*an e-mail without a message id (subject *mail 5: quote follow-up*' }
        @{ How = 'dots'; Named = "*, e-mail '..': *" }
    ) {
        Set-ZcrmSimulatorKnob $sim @{ badMessageIdAt = 4; badMessageIdAs = $How }

        $run = Invoke-Captured { Get-ZcrmRecordEmail Deals $deal -IncludeContent }

        $run.Output.Count | Should -Be 24
        $run.Output | ForEach-Object { $_.Content | Should -Not -BeNullOrEmpty }
        $run.Errors.Count | Should -Be 1
        $run.Errors[0].FullyQualifiedErrorId | Should -Be 'Zcrm.InvalidMessageId,ZohoCrmEmails.Module.GetZcrmRecordEmailCommand'
        # Named by its record and its id, or without one by its subject.
        $run.Errors[0].ErrorDetails.Message | Should -BeLike "Deals/$deal$Named"
        # In its place: the e-mails before it were written before its error, those after it after.
        $index = [array]::IndexOf($run.All, $run.Errors[0])
        @($run.All[0..($index - 1)] | Where-Object { $_ -is [ZohoCrmEmails.Models.ZcrmEmail] }).Count | Should -Be 4
    }

    It 'fails alone with -IncludeContent when Zoho refuses to read it, and the others come' {
        $refused = (Get-ZcrmRecordEmail Deals $deal | Select-Object -Index 7).MessageId
        Set-ZcrmSimulatorKnob $sim @{ refuseDetailOf = $refused }

        $run = Invoke-Captured { Get-ZcrmRecordEmail Deals $deal -IncludeContent }

        $run.Output.Count | Should -Be 24
        $run.Errors.Count | Should -Be 1
        $run.Errors[0].FullyQualifiedErrorId | Should -BeLike 'Zcrm.NO_PERMISSION,*'
        $run.Errors[0].TargetObject | Should -Be $refused
    }

    It 'fails alone in Export-ZcrmEmail and Save-ZcrmEmailAttachment, and the others are archived' {
        Set-ZcrmSimulatorKnob $sim @{ badMessageIdAt = 8; badMessageIdAs = 'empty' }   # an e-mail with attachments

        $export = Invoke-Captured { Get-ZcrmRecordEmail Deals $deal | Export-ZcrmEmail -Path $dir }
        $save = Invoke-Captured { Get-ZcrmRecordEmail Deals $deal | Save-ZcrmEmailAttachment -Path $dir }

        $export.Output.Count | Should -Be 24
        $export.Errors.Count | Should -Be 1
        $export.Errors[0].FullyQualifiedErrorId | Should -BeLike 'Zcrm.InvalidMessageId,*'
        $export.Errors[0].TargetObject | Should -BeOfType [ZohoCrmEmails.Models.ZcrmEmail]
        $export.Errors[0].ErrorDetails.Message | Should -BeLike "Deals/$deal, an e-mail without a message id *"
        $save.Errors.Count | Should -Be 1
        $save.Output.Count | Should -BeGreaterThan 5
        (Test-ZcrmArchive -Path $dir) | Should -BeNullOrEmpty
    }
}

Describe 'Every mailbox of a record (-AllMailboxes)' {
    BeforeEach {
        Reset-ZcrmSimulator $sim
        # Own view: 5 e-mails; Will Grandon's and boyle's mailboxes: the first 2 of those (the same messages) and 4 of their own.
        Set-ZcrmSimulatorKnob $sim @{ defaultEmailCount = 5; mailboxEmails = 4; mailboxOverlap = 2 }
        Connect-Zcrm @connect
        $record = @(Get-TestRecordId 1)[0]
        $dir = Join-Path $TestDrive ([guid]::NewGuid().ToString('N'))
    }

    It 'lists your view, then each shared user''s mailbox, each message once, owned by its mailbox''s user' {
        $run = Invoke-Captured { Get-ZcrmRecordEmail Deals $record -AllMailboxes }

        $run.Errors | Should -BeNullOrEmpty
        $run.Output.Count | Should -Be (5 + 4 + 4)
        @($run.Output.MessageId | Select-Object -Unique).Count | Should -Be 13
        ($run.Output.Owner.Name -join ',') | Should -Be ((@('Pat Boyle') * 5 + @('Will Grandon') * 4 + @('boyle') * 4) -join ',')
        $stats = Get-ZcrmSimulatorStat $sim
        $stats.sharingRequests | Should -Be 1
        $stats.listRequests | Should -Be 3
    }

    It 'reads each e-mail in full with its mailbox owner''s id (-IncludeContent)' {
        $run = Invoke-Captured { Get-ZcrmRecordEmail Deals $record -AllMailboxes -IncludeContent }

        $run.Errors | Should -BeNullOrEmpty
        $run.Output.Count | Should -Be 13
        $run.Output | ForEach-Object { $_.Content | Should -Not -BeNullOrEmpty }
        Get-ZcrmSimulatorLog $sim | Where-Object { $_ -like 'GET */Emails/*' } | Where-Object { $_ -like '*owner_id=412463000001213019*' } |
            Should -HaveCount 4
    }

    It 'reports a mailbox that refuses (<Refusal>) naming the record and its user, and the others still come' -ForEach @(
        @{ Refusal = 'CANNOT_PROCESS' }, @{ Refusal = 'NO_PERMISSION' }
    ) {
        Set-ZcrmSimulatorKnob $sim @{ defaultEmailCount = 5; mailboxEmails = 4; mailboxOverlap = 2; refuseMailboxOf = '412463000001213019'; mailboxRefusal = $Refusal }
        Connect-Zcrm @connect -MaximumRetryCount 1   # CANNOT_PROCESS is retried first: once is enough here

        $run = Invoke-Captured { Get-ZcrmRecordEmail Deals $record -AllMailboxes }

        $run.Output.Count | Should -Be (5 + 4)
        $run.Errors.Count | Should -Be 1
        $run.Errors[0].FullyQualifiedErrorId | Should -Be "Zcrm.$Refusal,ZohoCrmEmails.Module.GetZcrmRecordEmailCommand"
        $run.Errors[0].ErrorDetails.Message | Should -BeLike "Deals/$record, the mailbox of Will Grandon (412463000001213019): *"
        $run.Errors[0].TargetObject.User.Id | Should -Be '412463000001213019'
    }

    It 'gives your view alone, and no error, when nothing is shared (<How>)' -ForEach @(@{ How = 'array' }, @{ How = '204' }) {
        Set-ZcrmSimulatorKnob $sim @{ defaultEmailCount = 5; mailboxEmails = 4; sharingEmpty = $How }

        $run = Invoke-Captured { Get-ZcrmRecordEmail Deals $record -AllMailboxes }

        $run.Errors | Should -BeNullOrEmpty
        $run.Output.Count | Should -Be 5
    }

    It 'makes at most two requests for Select-Object -First 3' {
        $first = @(Get-ZcrmRecordEmail Deals $record -AllMailboxes | Select-Object -First 3)

        $first.Count | Should -Be 3
        (Get-ZcrmSimulatorStat $sim).crmRequests | Should -BeLessOrEqual 2
    }

    It 'archives every mailbox''s e-mails and attachments of piped records, downloads carrying each owner''s id' {
        $records = @([pscustomobject]@{ Module = 'Deals'; Id = $record })

        $eml = Invoke-Captured { $records | Export-ZcrmEmail -Path $dir -AllMailboxes }
        $files = Invoke-Captured { $records | Save-ZcrmEmailAttachment -Path $dir -AllMailboxes }

        $eml.Errors | Should -BeNullOrEmpty
        $files.Errors | Should -BeNullOrEmpty
        $eml.Output.Count | Should -Be 13
        # E-mails 0 and 4 of each list have attachments: own 0, 4; each mailbox's 1000·k and 1000·k + 4 ... (2 or 3 each).
        $files.Output.Count | Should -BeGreaterThan 4
        Get-ZcrmSimulatorLog $sim | Where-Object { $_ -like '*download_attachments*user_id=412463000000867017*' } | Should -Not -BeNullOrEmpty
        Test-ZcrmArchive -Path $dir | Should -BeNullOrEmpty
    }

    It 'sweeps every mailbox of every record with -All -AllMailboxes' {
        Set-ZcrmSimulatorKnob $sim @{ recordCount = 6; recordEmailsMax = 3; mailboxEmails = 2 }

        $run = Invoke-Captured { Export-ZcrmEmail -Module Deals -All -AllMailboxes -Path $dir -NoAttachments }

        $run.Errors | Should -BeNullOrEmpty
        # Records 1, 2, 4, 5 have 1 + (n·7919 mod 3) e-mails of their own; every record's two mailboxes 2 each.
        $own = (1, 2, 4, 5 | ForEach-Object { 1 + ([long]$_ * 7919 % 3) } | Measure-Object -Sum).Sum
        $run.Output.Count | Should -Be ($own + 6 * 2 * 2)
    }

    It 'refuses -AllMailboxes with <With>' -ForEach @(
        @{ With = '-Type'; Extra = @{ Type = 'SentFromCrm' } }
        @{ With = '-MessageId'; Extra = @{ MessageId = 'abc' } }
    ) {
        $run = Invoke-Captured { Get-ZcrmRecordEmail Deals $record -AllMailboxes @Extra }

        $run.Errors.Count | Should -Be 1
        $run.Errors[0].FullyQualifiedErrorId | Should -Be 'Zcrm.InvalidParameterCombination,ZohoCrmEmails.Module.GetZcrmRecordEmailCommand'
        (Get-ZcrmSimulatorStat $sim).crmRequests | Should -Be 0
    }
}

Describe 'Invoke-ZcrmRestMethod' {
    BeforeEach {
        Reset-ZcrmSimulator $sim
        Set-ZcrmSimulatorKnob $sim @{ userCount = 7; recordCount = 450; defaultEmailCount = 25 }
        Connect-Zcrm @connect
    }

    It 'gives the JSON as objects, with the connection''s token' {
        $org = Invoke-ZcrmRestMethod GET '/crm/v8/org'

        $org.org[0].company_name | Should -Be 'Acme Simulated Ltd'
        $org.org[0].id | Should -BeOfType [string]
        (Get-ZcrmSimulatorStat $sim).tokenRequests | Should -Be 1
    }

    It 'follows Zoho''s own paging with -All (<Paging>), writing each item' -ForEach @(
        @{ Paging = 'page numbers'; Path = '/crm/v8/users?type=ActiveUsers&per_page=3'; Count = 7; Requests = 3 }
        @{ Paging = 'page tokens'; Path = '/crm/v8/Deals?fields=id,Deal_Name&per_page=200'; Count = 450; Requests = 3 }
        @{ Paging = 'next_index cursors'; Path = '/crm/v8/Deals/4150868000001234001/Emails'; Count = 25; Requests = 3 }
    ) {
        $run = Invoke-Captured { Invoke-ZcrmRestMethod -Path $Path -All }

        $run.Errors | Should -BeNullOrEmpty
        $run.Output.Count | Should -Be $Count
        (Get-ZcrmSimulatorStat $sim).crmRequests | Should -Be $Requests
    }

    It 'is lazy with -All: Select-Object -First 2 makes one request' {
        @(Invoke-ZcrmRestMethod -Path '/crm/v8/users?per_page=3' -All | Select-Object -First 2).Count | Should -Be 2
        (Get-ZcrmSimulatorStat $sim).crmRequests | Should -Be 1
    }

    It 'sends a body as JSON, and asks before a POST with -WhatIf' {
        $answer = Invoke-ZcrmRestMethod POST '/crm/v8/__echo' -Body @{ data = @(@{ Deal_Name = 'Acme'; Amount = 12000 }) }
        $answer.data[0].method | Should -Be 'POST'
        $answer.data[0].details.data[0].Deal_Name | Should -Be 'Acme'
        $answer.data[0].details.data[0].Amount | Should -Be 12000

        Invoke-ZcrmRestMethod DELETE '/crm/v8/__echo' -WhatIf
        (Get-ZcrmSimulatorStat $sim).crmRequests | Should -Be 1
    }

    It 'gives a body that is not JSON as text, redacted' {
        Set-ZcrmSimulatorKnob $sim @{ echoSecrets = $true }
        $text = Invoke-ZcrmRestMethod GET '/crm/v8/__text'

        $text | Should -BeLike 'plain text, not JSON; you sent Zoho-oauthtoken *'
        foreach ($secret in Get-ZcrmSimulatorSecret) { $text | Should -Not -BeLike "*$secret*" }
        $text | Should -Not -BeLike '*1000.sim-access-*'
    }

    It 'gives nothing for 204' {
        Set-ZcrmSimulatorKnob $sim @{ userCount = 0 }
        $run = Invoke-Captured { Invoke-ZcrmRestMethod GET '/crm/v8/users' }
        $run.Output | Should -BeNullOrEmpty
        $run.Errors | Should -BeNullOrEmpty
    }

    It 'refuses <Path> before any request (Zcrm.InvalidApiPath)' -ForEach @(
        @{ Path = 'https://evil.example/crm/v8/users' }, @{ Path = '//evil.example/crm/v8/users' }, @{ Path = '/oauth/v2/token' }
        @{ Path = '/crm/v8/../../oauth/v2/token' }, @{ Path = '/crm/v8/%2e%2e/x' }, @{ Path = '/crm/v8/a%2Fb' }, @{ Path = '' }
    ) {
        $run = Invoke-Captured { Invoke-ZcrmRestMethod GET $Path }

        $run.Errors.Count | Should -Be 1
        $run.Errors[0].FullyQualifiedErrorId | Should -Be 'Zcrm.InvalidApiPath,ZohoCrmEmails.Module.InvokeZcrmRestMethodCommand'
        (Get-ZcrmSimulatorStat $sim).totalRequests | Should -Be 1   # the token, at Connect-Zcrm
    }

    It 'gives Zoho''s code as the error id, naming the call' {
        $run = Invoke-Captured { Invoke-ZcrmRestMethod GET '/crm/v8/NoSuchModule' }

        $run.Errors[0].FullyQualifiedErrorId | Should -Be 'Zcrm.INVALID_MODULE,ZohoCrmEmails.Module.InvokeZcrmRestMethodCommand'
        $run.Errors[0].ErrorDetails.Message | Should -BeLike 'GET /crm/v8/NoSuchModule: *'
    }

    It 'retries a GET through a server fault, never a POST the server may have acted on' {
        Set-ZcrmSimulatorKnob $sim @{ userCount = 3; fail5xxCount = 1 }
        @(Invoke-ZcrmRestMethod GET '/crm/v8/users').Count | Should -Be 1
        Set-ZcrmSimulatorKnob $sim @{ userCount = 3; fail5xxCount = 1 }

        $run = Invoke-Captured { Invoke-ZcrmRestMethod POST '/crm/v8/__echo' -Body '{"a":1}' }

        $run.Errors[0].FullyQualifiedErrorId | Should -BeLike 'Zcrm.INTERNAL_ERROR,*'
        @(Get-ZcrmSimulatorLog $sim | Where-Object { $_ -like 'POST /crm/v8/__echo' }).Count | Should -Be 1
    }
}
