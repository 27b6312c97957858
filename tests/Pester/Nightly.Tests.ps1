# The archive as a nightly job: run every night into the same folder, killed by a scheduler past its time limit,
# two jobs at once, checked afterwards.
BeforeAll {
    . ([System.IO.Path]::Combine($PSScriptRoot, 'TestSetup.ps1'))
}

AfterAll {
    Disconnect-Zcrm
    Stop-ZcrmSimulator $sim
}

Describe 'The archive run every night' {
    BeforeEach {
        Reset-ZcrmSimulator $sim
        Connect-Zcrm @connect
        $dir = Join-Path $TestDrive ([guid]::NewGuid().ToString('N'))
    }

    It 'spends only the list requests the second time, and writes and raises nothing' {
        $first = Invoke-Captured {
            Get-ZcrmRecordEmail Deals $deal | Export-ZcrmEmail -Path $dir
            Get-ZcrmRecordEmail Deals $deal | Save-ZcrmEmailAttachment -Path $dir
        }
        $first.Errors.Count | Should -Be 0
        $first.Output.Count | Should -Be (25 + 14)
        Reset-ZcrmSimulator $sim
        Connect-Zcrm @connect   # the reset forgot the token: a fresh one, so that no request is repeated after a 401

        $second = Invoke-Captured {
            Get-ZcrmRecordEmail Deals $deal | Export-ZcrmEmail -Path $dir -Verbose
            Get-ZcrmRecordEmail Deals $deal | Save-ZcrmEmailAttachment -Path $dir -Verbose
        }

        $second.Output.Count | Should -Be 0
        $second.Errors.Count | Should -Be 0
        $stats = Get-ZcrmSimulatorStat $sim
        $stats.listRequests | Should -Be 6
        $stats.detailRequests | Should -Be 0
        $stats.downloadRequests | Should -Be 0
        @($second.Verbose | Where-Object { $_ -like 'Skipped *archived already*' }).Count | Should -Be (25 + 7)
    }

    It 'lists every file in its index with its true length and SHA-256, once' {
        $files = @(Get-ZcrmRecordEmail Deals $deal | Export-ZcrmEmail -Path $dir) + @(Get-ZcrmRecordEmail Deals $deal | Save-ZcrmEmailAttachment -Path $dir)

        $rows = @(Get-IndexRow $dir)
        $rows.Count | Should -Be $files.Count
        ($rows.Name | Sort-Object) | Should -Be (Get-ArchiveFile $dir | ForEach-Object Name | Sort-Object)
        foreach ($row in $rows) {
            $file = Get-Item -LiteralPath (Join-Path $dir $row.Name)
            $row.Length | Should -Be $file.Length
            $row.Sha256 | Should -BeExactly (Get-FileHash -LiteralPath $file.FullName -Algorithm SHA256).Hash.ToLowerInvariant()
            $row.Module | Should -Be 'Deals'
            $row.RecordId | Should -Be $deal
            $row.ArchivedAt | Should -Match '^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$'
            if ($file.Extension -eq '.eml') { $row.AttachmentId | Should -BeNullOrEmpty } else { $row.AttachmentId | Should -Not -BeNullOrEmpty }
        }
    }

    It 'archives what is new since the last run, and only that' {
        $id = @(Get-TestRecordId 1)[0]
        Set-ZcrmSimulatorKnob $sim @{ defaultEmailCount = 5 }
        @(Get-ZcrmRecordEmail Deals $id | Export-ZcrmEmail -Path $dir -NoAttachments).Count | Should -Be 5
        Set-ZcrmSimulatorKnob $sim @{ defaultEmailCount = 8 }

        $new = @(Get-ZcrmRecordEmail Deals $id | Export-ZcrmEmail -Path $dir -NoAttachments)

        $new.Count | Should -Be 3
        (Get-ZcrmSimulatorStat $sim).detailRequests | Should -Be 8
        @(Get-IndexRow $dir).Count | Should -Be 8
    }

    It 'archives again with -Force, replacing each file and keeping one row per item' {
        $null = Get-ZcrmRecordEmail Deals $deal | Export-ZcrmEmail -Path $dir -NoAttachments
        $before = @(Get-ArchiveFile $dir).Name | Sort-Object

        $again = @(Get-ZcrmRecordEmail Deals $deal | Export-ZcrmEmail -Path $dir -NoAttachments -Force)

        $again.Count | Should -Be 25
        (@(Get-ArchiveFile $dir).Name | Sort-Object) | Should -Be $before
        @(Get-IndexRow $dir).Count | Should -Be 25
    }

    It 'saves later what a -Name filter passed over, reading only the e-mails not wholly saved' {
        @(Get-ZcrmRecordEmail Deals $deal | Save-ZcrmEmailAttachment -Path $dir -Name '*-1.pdf').Count | Should -Be 7
        Reset-ZcrmSimulator $sim

        $rest = @(Get-ZcrmRecordEmail Deals $deal | Save-ZcrmEmailAttachment -Path $dir)

        $rest.Name | ForEach-Object { $_ | Should -BeLike '*-2.pdf' }
        $rest.Count | Should -Be 7
        (Get-ZcrmSimulatorStat $sim).detailRequests | Should -Be 7
        (Get-ZcrmSimulatorStat $sim).downloadRequests | Should -Be 7
        Reset-ZcrmSimulator $sim
        @(Get-ZcrmRecordEmail Deals $deal | Save-ZcrmEmailAttachment -Path $dir).Count | Should -Be 0
        (Get-ZcrmSimulatorStat $sim).detailRequests | Should -Be 0
    }

    It 'is finished by the next run after a kill mid-download, with nothing left over' {
        Set-ZcrmSimulatorKnob $sim @{ largeAttachmentBytes = 40MB; downloadBytesPerSecond = 4MB }
        $job = Start-ModuleProcess "Get-ZcrmRecordEmail Deals $deal | Select-Object -First 1 | Save-ZcrmEmailAttachment -Path '$dir'"
        try {
            Wait-Until -What 'a partial download of at least 1 MB' {
                @(Get-ChildItem $dir -Force -Filter '*.zcrm-partial' -ErrorAction SilentlyContinue | Where-Object Length -GT 1MB).Count -gt 0
            }
        }
        finally {
            $job.Kill()   # SIGKILL: no finally block of the run runs
            $job.WaitForExit(30000) | Should -BeTrue
        }
        @(Get-ChildItem $dir -Force -Filter '*.zcrm-partial').Count | Should -Be 1   # what the kill left
        Set-ZcrmSimulatorKnob $sim @{ largeAttachmentBytes = 40MB }

        $files = @(Get-ZcrmRecordEmail Deals $deal | Select-Object -First 1 | Save-ZcrmEmailAttachment -Path $dir)

        $files.Name | Should -Be 'large.bin'
        $files[0].Length | Should -Be 40MB
        (Get-ChildItem $dir -Force).Name | Sort-Object | Should -Be @('large.bin', 'zcrm-index.csv', 'zcrm-index.lock')
        (Get-IndexRow $dir).Name | Should -Be 'large.bin'
    }

    It 'keeps the index whole when two processes archive into one folder at once' {
        Set-ZcrmSimulatorKnob $sim @{ latencyMs = 5 }
        $jobs = 1..2 | ForEach-Object { Start-ModuleProcess "Get-ZcrmRecordEmail Deals $deal | Export-ZcrmEmail -Path '$dir' -NoAttachments | Out-Null" }
        foreach ($job in $jobs) { $job.WaitForExit(120000) | Should -BeTrue; $job.ExitCode | Should -Be 0 }

        $rows = @(Get-IndexRow $dir)
        $rows.Count | Should -Be 25
        @($rows.MessageId | Select-Object -Unique).Count | Should -Be 25
        @(Get-ArchiveFile $dir).Count | Should -Be 25
        @(Get-ChildItem $dir -Force -Filter '.zcrm-*').Count | Should -Be 0
    }
}

Describe 'Test-ZcrmArchive' {
    BeforeAll {
        Reset-ZcrmSimulator $sim
        Connect-Zcrm @connect
        $dir = Join-Path $TestDrive 'checked'
        $null = Get-ZcrmRecordEmail Deals $deal | Save-ZcrmEmailAttachment -Path $dir
    }

    It 'says nothing for an intact archive' {
        @(Test-ZcrmArchive -Path $dir).Count | Should -Be 0
    }

    It 'finds a deleted and a changed file, and nothing else' {
        Remove-Item (Join-Path $dir 'quote-1-1.pdf')
        [System.IO.File]::WriteAllText((Join-Path $dir 'quote-5-2.pdf'), 'changed')

        $problems = @(Test-ZcrmArchive -Path $dir | Sort-Object Name)

        $problems.Count | Should -Be 2
        $problems[0] | Should -BeOfType ([ZohoCrmEmails.Models.ZcrmArchiveProblem])
        $problems[0].Name | Should -Be 'quote-1-1.pdf'
        $problems[0].Status | Should -Be 'Missing'
        $problems[0].ActualSha256 | Should -BeNullOrEmpty
        $problems[1].Name | Should -Be 'quote-5-2.pdf'
        $problems[1].Status | Should -Be 'Changed'
        $problems[1].ActualLength | Should -Be 7
        $problems[1].ExpectedSha256 | Should -Not -Be $problems[1].ActualSha256
        $problems[1].RecordId | Should -Be $deal
        ($problems | Format-Table | Out-String) | Should -Match 'Missing\s+quote-1-1\.pdf'
    }

    It 'says a folder without an index is not an archive' {
        $run = Invoke-Captured { Test-ZcrmArchive -Path $TestDrive }
        $run.Errors[0].FullyQualifiedErrorId | Should -Be 'Zcrm.ArchiveIndexNotFound,ZohoCrmEmails.Module.TestZcrmArchiveCommand'
    }
}

Describe 'A folder per record' {
    BeforeEach {
        Reset-ZcrmSimulator $sim
        Set-ZcrmSimulatorKnob $sim @{ defaultEmailCount = 2 }
        Connect-Zcrm @connect
        $dir = Join-Path $TestDrive ([guid]::NewGuid().ToString('N'))
    }

    It 'evaluates a -Path script block for each e-mail, each folder with its own index' {
        $ids = @(Get-TestRecordId 3)

        $files = @($ids | Get-ZcrmRecordEmail -Module Deals | Export-ZcrmEmail -NoAttachments -Path { Join-Path $dir 'deals' $_.RecordId })

        $files.Count | Should -Be 6
        foreach ($id in $ids) {
            $folder = Join-Path $dir 'deals' $id
            @(Get-ArchiveFile $folder).Count | Should -Be 2
            @(Get-IndexRow $folder).RecordId | Select-Object -Unique | Should -Be $id
        }
        @(Get-ChildItem $dir -Recurse -Directory).Count | Should -Be 4
    }

    It 'reports a -Path script block that cannot be evaluated, and makes no folder of its text' {
        Push-Location $TestDrive
        try {
            $run = Invoke-Captured { Get-ZcrmRecordEmail Deals (Get-TestRecordId 1) | Export-ZcrmEmail -NoAttachments -Path { throw 'no folder for you' } }
        }
        finally {
            Pop-Location
        }

        $run.Output.Count | Should -Be 0
        $run.Errors.Count | Should -Be 2
        $run.Errors[0].Exception.Message | Should -BeLike '*no folder for you*'
        @(Get-ChildItem $TestDrive -Recurse -Directory | Where-Object Name -Like '*throw*').Count | Should -Be 0
    }
}
