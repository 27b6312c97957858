BeforeAll {
    . ([System.IO.Path]::Combine($PSScriptRoot, 'TestSetup.ps1'))
    # Byte n of an attachment, as the simulator makes it (SimData.AttachmentByte).
    function Get-ExpectedByte([string] $AttachmentId, [long] $Offset) {
        [byte](($Offset * 31 + $AttachmentId.Length * 7 + [int][char]$AttachmentId[-1]) -band 0xFF)
    }
}

AfterAll {
    Disconnect-Zcrm
    Stop-ZcrmSimulator $sim
}

Describe 'Save-ZcrmEmailAttachment' {
    BeforeEach {
        Reset-ZcrmSimulator $sim
        Connect-Zcrm @connect
        $dir = Join-Path $TestDrive ([guid]::NewGuid().ToString('N'))
    }

    It 'saves the attachments of piped e-mails as FileInfo objects carrying the Zoho ids' {
        $files = @(Get-ZcrmRecordEmail Deals $deal | Where-Object HasAttachment | Save-ZcrmEmailAttachment -Path $dir)

        # 7 e-mails of the deal have attachments (every fourth), two each.
        $files.Count | Should -Be 14
        $files | ForEach-Object { $_ | Should -BeOfType ([System.IO.FileInfo]) }
        $files[0].Name | Should -Be 'quote-1-1.pdf'
        $files[0].Module | Should -Be 'Deals'
        $files[0].RecordId | Should -Be $deal
        $files[0].MessageId | Should -Not -BeNullOrEmpty
        $files[0].AttachmentId | Should -Be '2cceafa194d037b63f200000'
        $bytes = [System.IO.File]::ReadAllBytes($files[0].FullName)
        $bytes.Length | Should -Be 24792
        $bytes[0] | Should -Be (Get-ExpectedByte $files[0].AttachmentId 0)
        $bytes[24791] | Should -Be (Get-ExpectedByte $files[0].AttachmentId 24791)
        $stats = Get-ZcrmSimulatorStat $sim
        $stats.detailRequests | Should -Be 7     # listed e-mails are read in full once, to learn their attachments
        $stats.downloadRequests | Should -Be 14
        ($files | Measure-Object Length -Sum).Sum | Should -Be ((Get-ArchiveFile $dir | Measure-Object Length -Sum).Sum)
        $files | Remove-Item
        @(Get-ArchiveFile $dir).Count | Should -Be 0
    }

    It 'skips listed e-mails without attachments without a request' {
        $files = @(Get-ZcrmRecordEmail Deals $deal | Select-Object -Skip 1 -First 3 | Save-ZcrmEmailAttachment -Path $dir)

        $files.Count | Should -Be 0
        (Get-ZcrmSimulatorStat $sim).detailRequests | Should -Be 0
    }

    It 'takes -Module, -RecordId and -MessageId, and filters by -Name and -AttachmentId' {
        $id = (Get-ZcrmRecordEmail Deals $deal | Select-Object -First 1).MessageId

        $byName = @(Save-ZcrmEmailAttachment -Module Deals -RecordId $deal -MessageId $id -Path $dir -Name '*-2.pdf')
        $byId = @(Save-ZcrmEmailAttachment -Module Deals -RecordId $deal -MessageId $id -Path (Join-Path $dir by-id) -AttachmentId '2cceafa194d037b63f200000')

        $byName.Name | Should -Be 'quote-1-2.pdf'
        $byId.Name | Should -Be 'quote-1-1.pdf'
    }

    It 'binds Module, Id and MessageId from CSV rows' {
        $id = (Get-ZcrmRecordEmail Deals $deal | Select-Object -First 1).MessageId
        $files = @([pscustomobject]@{ Module = 'Deals'; Id = $deal; MessageId = $id } | Save-ZcrmEmailAttachment -Path $dir)

        $files.Name | Should -Be @('quote-1-1.pdf', 'quote-1-2.pdf')
    }

    It 'reports an -AttachmentId the e-mail does not have, and saves the others' {
        $id = (Get-ZcrmRecordEmail Deals $deal | Select-Object -First 1).MessageId
        $run = Invoke-Captured { Save-ZcrmEmailAttachment -Module Deals -RecordId $deal -MessageId $id -Path $dir -AttachmentId '2cceafa194d037b63f200000', 'nope' }

        $run.Output.Name | Should -Be 'quote-1-1.pdf'
        $run.Errors.Count | Should -Be 1
        $run.Errors[0].FullyQualifiedErrorId | Should -Be 'Zcrm.AttachmentNotFound,ZohoCrmEmails.Module.SaveZcrmEmailAttachmentCommand'
    }

    It 'makes no download request with -WhatIf, and writes nothing' {
        $run = Invoke-Captured { Get-ZcrmRecordEmail Deals $deal | Select-Object -First 1 | Save-ZcrmEmailAttachment -Path $dir -WhatIf }

        $run.Output.Count | Should -Be 0
        (Get-ZcrmSimulatorStat $sim).downloadRequests | Should -Be 0
        Test-Path $dir | Should -BeFalse
    }

    It 'does not replace a file that existed before without -Force (its own error id), and does with it' {
        New-Item -ItemType Directory $dir | Out-Null
        Set-Content -Path (Join-Path $dir 'quote-1-1.pdf') -Value 'mine'
        $first = Get-ZcrmRecordEmail Deals $deal | Select-Object -First 1

        $run = Invoke-Captured { $first | Save-ZcrmEmailAttachment -Path $dir }
        $run.Output.Name | Should -Be 'quote-1-2.pdf'
        $run.Errors.Count | Should -Be 1
        $run.Errors[0].FullyQualifiedErrorId | Should -Be 'Zcrm.FileExists,ZohoCrmEmails.Module.SaveZcrmEmailAttachmentCommand'
        $run.Errors[0].TargetObject.Name | Should -Be 'quote-1-1.pdf'     # the attachment
        (Get-Content (Join-Path $dir 'quote-1-1.pdf')) | Should -Be 'mine'
        (Get-ZcrmSimulatorStat $sim).downloadRequests | Should -Be 1      # the taken name cost no download

        $forced = @($first | Save-ZcrmEmailAttachment -Path $dir -Force)
        $forced.Count | Should -Be 2
        (Get-Item (Join-Path $dir 'quote-1-1.pdf')).Length | Should -Be 24792
    }

    It 'keeps every hostile name inside -Path, legal and unique' {
        Set-ZcrmSimulatorKnob $sim @{ hostileAttachmentNames = $true }
        $outside = @(Get-ChildItem $TestDrive -Recurse -Force)

        $files = @(Get-ZcrmRecordEmail Deals $deal | Select-Object -First 1 | Save-ZcrmEmailAttachment -Path $dir)

        $files.Count | Should -Be 14
        $files | ForEach-Object { $_.DirectoryName | Should -Be $dir }
        @(Get-ArchiveFile $dir).Count | Should -Be 14
        @(Get-ChildItem $TestDrive -Recurse -Force | Where-Object { $_.FullName -notlike "$dir*" }).Count | Should -Be $outside.Count
        $invalid = [System.IO.Path]::GetInvalidFileNameChars() + [char[]]'<>:"/\|?*'
        $files | ForEach-Object { $_.Name.IndexOfAny($invalid) | Should -Be -1 }
        $files.Name | Should -Contain '_CON'
        $files.Name | Should -Contain 'escape.pdf'
    }

    It 'resolves -Path like Export-Csv: relative to the location, on a FileSystem drive' {
        Push-Location TestDrive:\
        try {
            $files = @(Get-ZcrmRecordEmail Deals $deal | Select-Object -First 1 | Save-ZcrmEmailAttachment -Path 'relative/files')
        }
        finally {
            Pop-Location
        }

        $files[0].DirectoryName | Should -Be (Join-Path (Get-PSDrive TestDrive).Root 'relative' 'files')
        { Save-ZcrmEmailAttachment -Module Deals -RecordId $deal -MessageId x -Path 'Env:\nope' } |
            Should -Throw -ErrorId 'Zcrm.InvalidPath,ZohoCrmEmails.Module.SaveZcrmEmailAttachmentCommand'
    }

    It 'leaves no file when the listed size and the bytes differ' {
        Set-ZcrmSimulatorKnob $sim @{ listedAttachmentSizeExtra = 5 }

        $run = Invoke-Captured { Get-ZcrmRecordEmail Deals $deal | Select-Object -First 1 | Save-ZcrmEmailAttachment -Path $dir }

        $run.Errors.Count | Should -Be 2
        $run.Errors | ForEach-Object { $_.FullyQualifiedErrorId | Should -BeLike 'Zcrm.AttachmentSizeMismatch,*' }
        @(Get-ArchiveFile $dir).Count | Should -Be 0
    }

    It 'streams a 200 MB attachment with the process growing by a few tens of MB at most' {
        Set-ZcrmSimulatorKnob $sim @{ largeAttachmentBytes = 200MB }
        $peakBefore = (Get-Process -Id $PID).PeakWorkingSet64

        $file = Get-ZcrmRecordEmail Deals $deal | Select-Object -First 1 | Save-ZcrmEmailAttachment -Path $dir

        $file.Length | Should -Be 200MB
        ((Get-Process -Id $PID).PeakWorkingSet64 - $peakBefore) | Should -BeLessThan 64MB
        $file | Remove-Item
    }
}

Describe 'Export-ZcrmEmail' {
    BeforeEach {
        Reset-ZcrmSimulator $sim
        Connect-Zcrm @connect
        $dir = Join-Path $TestDrive ([guid]::NewGuid().ToString('N'))
    }

    It 'writes one .eml per e-mail, named by time and subject, with headers, body and attachments' {
        $mails = @(Get-ZcrmRecordEmail Deals $deal | Select-Object -First 3)
        $files = @($mails | Export-ZcrmEmail -Path $dir)

        $files.Count | Should -Be 3
        $files[0].Name | Should -Be '2024-05-09 123312 Deals 4001 mail 1_ quote follow-up.eml'
        $files[0].MessageId | Should -Be $mails[0].MessageId
        $text = Get-Content $files[0].FullName -Raw
        $text | Should -Match "(?m)^From: Pat Boyle <pat@crm\.example\.com>\r$"
        $text | Should -Match "(?m)^Subject: Deals 4001 mail 1: quote follow-up\r$"
        $text | Should -Match "(?m)^Date: Thu, 09 May 2024 12:33:12 \+0530\r$"
        $text | Should -Match "(?m)^X-Zoho-Message-Id: $([regex]::Escape($mails[0].MessageId))\r$"
        $text | Should -Match 'Content-Disposition: attachment; filename=quote-1-1\.pdf'
        (Get-ZcrmSimulatorStat $sim).downloadRequests | Should -Be 2
        @(Get-ArchiveFile $dir).Count | Should -Be 3        # no temporary file left
    }

    It 'leaves the attachments out with -NoAttachments, with no download request' {
        $file = Get-ZcrmRecordEmail Deals $deal | Select-Object -First 1 | Export-ZcrmEmail -Path $dir -NoAttachments

        (Get-Content $file.FullName -Raw) | Should -Not -Match 'Content-Disposition: attachment'
        (Get-ZcrmSimulatorStat $sim).downloadRequests | Should -Be 0
    }

    It 'writes bodies a text search finds, as help example 2 promises' {
        # Export-ZcrmEmail's example 2, with a word of one e-mail's body (the simulator's bodies name their quote).
        $hits = @(Get-ZcrmRecordEmail Deals $deal | Export-ZcrmEmail -Path $dir -NoAttachments |
            Select-String -Pattern 'Following up on quote 7 for' -List)

        $hits.Count | Should -Be 1
        $hits[0].Filename | Should -BeLike '* mail 7_ quote follow-up.eml'
        @(Get-ArchiveFile $dir | Select-String -Pattern 'Following up on quote' -List).Count | Should -Be 25
    }

    It 'makes no request at all with -WhatIf' {
        $mails = @(Get-ZcrmRecordEmail Deals $deal | Select-Object -First 2)
        Reset-ZcrmSimulator $sim

        $mails | Export-ZcrmEmail -Path $dir -WhatIf

        (Get-ZcrmSimulatorStat $sim).crmRequests | Should -Be 0
        Test-Path $dir | Should -BeFalse
    }

    It 'names same-named files in input order whatever finishes first, and keeps an older file without -Force' {
        $full = Get-ZcrmRecordEmail Deals $deal -IncludeContent | Select-Object -First 1
        # Six e-mails of one time and subject, written at once: names are taken in input order on the pipeline thread.
        $mails = 1..6 | ForEach-Object {
            $m = [ZohoCrmEmails.Models.ZcrmEmail]::new()
            $m.Module = 'Deals'; $m.RecordId = $deal; $m.MessageId = "m$_"; $m.Subject = $full.Subject; $m.Time = $full.Time
            $m.SentTime = $full.SentTime; $m.Content = "body $_"; $m.MailFormat = 'text'
            $m
        }
        $files = @($mails | Export-ZcrmEmail -Path $dir -NoAttachments -ThrottleLimit 6)
        $files.Name | Should -Be (@('2024-05-09 123312 Deals 4001 mail 1_ quote follow-up.eml') + (2..6 | ForEach-Object { "2024-05-09 123312 Deals 4001 mail 1_ quote follow-up ($_).eml" }))
        $files.MessageId | Should -Be @('m1', 'm2', 'm3', 'm4', 'm5', 'm6')

        # A file the archive's index does not know is not replaced.
        $other = Join-Path $TestDrive ([guid]::NewGuid().ToString('N'))
        $null = New-Item -ItemType Directory $other
        Set-Content (Join-Path $other '2024-05-09 123312 Deals 4001 mail 1_ quote follow-up.eml') 'mine'
        $run = Invoke-Captured { $full | Export-ZcrmEmail -Path $other -NoAttachments }
        $run.Errors[0].FullyQualifiedErrorId | Should -Be 'Zcrm.FileExists,ZohoCrmEmails.Module.ExportZcrmEmailCommand'
        $run.Errors[0].TargetObject | Should -Be $full.MessageId
        Get-Content (Join-Path $other '2024-05-09 123312 Deals 4001 mail 1_ quote follow-up.eml') | Should -Be 'mine'
    }

    It 'writes an e-mail piped twice in one run once' {
        $mail = Get-ZcrmRecordEmail Deals $deal | Select-Object -First 1

        $files = @($mail, $mail | Export-ZcrmEmail -Path $dir -NoAttachments)
        $saved = @($mail, $mail | Save-ZcrmEmailAttachment -Path $dir)

        $files.Count | Should -Be 1
        $saved.Name | Should -Be @('quote-1-1.pdf', 'quote-1-2.pdf')
    }

    It 'reads an e-mail given by id in full first' {
        $id = (Get-ZcrmRecordEmail Deals $deal | Select-Object -Skip 1 -First 1).MessageId
        $file = Export-ZcrmEmail -Module Deals -RecordId $deal -MessageId $id -Path $dir

        $file.Name | Should -Be '2024-05-09 113312 Deals 4001 mail 2_ quote follow-up.eml'
        (Get-ZcrmSimulatorStat $sim).detailRequests | Should -Be 1
    }
}
