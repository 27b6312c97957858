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
