BeforeAll {
    . ([System.IO.Path]::Combine($PSScriptRoot, 'TestSetup.ps1'))
}

AfterAll {
    Disconnect-Zcrm
    Stop-ZcrmSimulator $sim
}

Describe 'The module' {
    It 'exports exactly its cmdlets, and nothing else' {
        $m = Get-Module ZohoCrmEmails

        @($m.ExportedCmdlets.Keys | Sort-Object) | Should -Be @('Connect-Zcrm', 'Disconnect-Zcrm', 'Export-ZcrmEmail', 'Get-ZcrmConnection', 'Get-ZcrmEmailSharing', 'Get-ZcrmRecord', 'Get-ZcrmRecordEmail', 'Invoke-ZcrmRestMethod', 'Save-ZcrmEmailAttachment', 'Test-ZcrmArchive')
        $m.ExportedFunctions.Count | Should -Be 0
        $m.ExportedAliases.Count | Should -Be 0
        $m.ExportedVariables.Count | Should -Be 0
        $m.CompatiblePSEditions | Should -Be 'Core'
    }

    It 'has a valid manifest with explicit exports' {
        $manifest = Test-ModuleManifest $moduleManifest

        $manifest.PrivateData.PSData.Tags | Should -Contain 'Zoho'
        $manifest.PrivateData.PSData.ReleaseNotes | Should -Not -BeNullOrEmpty
        (Get-Content $moduleManifest -Raw) | Should -Not -Match "CmdletsToExport\s*=\s*'\*'"
    }

    It 'loads the engine, the cmdlets and their dependencies in a private AssemblyLoadContext' {
        $contexts = [System.AppDomain]::CurrentDomain.GetAssemblies() |
            Where-Object { $_.GetName().Name -in 'ZohoCrmEmails.Engine', 'ZohoCrmEmails.Module', 'Microsoft.Extensions.Http', 'Microsoft.Extensions.DependencyInjection' } |
            ForEach-Object { [System.Runtime.Loader.AssemblyLoadContext]::GetLoadContext($_).Name } |
            Sort-Object -Unique

        $contexts | Should -Be 'ZohoCrmEmails'
    }

    It 'puts the types users see in the default load context, so scripts can name them' {
        foreach ($type in [ZohoCrmEmails.Models.ZcrmEmail], [ZohoCrmEmails.Models.ZcrmEmailSharing], [ZohoCrmEmails.ZcrmConnection], [ZohoCrmEmails.ZcrmException]) {
            [System.Runtime.Loader.AssemblyLoadContext]::GetLoadContext($type.Assembly).Name | Should -Be 'Default'
        }
        # Exactly one copy of them in the process: what the engine makes is what a script names.
        @([System.AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { $_.GetName().Name -eq 'ZohoCrmEmails' }).Count | Should -Be 1
    }

    It 'hands out objects that -is, Should -BeOfType, typed parameters and catch blocks recognise' {
        Reset-ZcrmSimulator $sim
        Connect-Zcrm @connect
        function Get-Subject([Parameter(ValueFromPipeline)] [ZohoCrmEmails.Models.ZcrmEmail] $Mail) { process { $Mail.Subject } }

        $mail = Get-ZcrmRecordEmail Deals $deal | Select-Object -First 1
        $sharing = Get-ZcrmEmailSharing Leads $leadWithSharing

        $mail -is [ZohoCrmEmails.Models.ZcrmEmail] | Should -BeTrue
        $mail | Should -BeOfType ([ZohoCrmEmails.Models.ZcrmEmail])
        $mail.From | Should -BeOfType ([ZohoCrmEmails.Models.ZcrmEmailAddress])
        $sharing | Should -BeOfType ([ZohoCrmEmails.Models.ZcrmEmailSharing])
        ($mail | Get-Subject) | Should -Be $mail.Subject
        ($mail | Get-Member)[0].TypeName | Should -Be 'ZohoCrmEmails.Models.ZcrmEmail'
        $caught = try { Get-ZcrmRecordEmail Deals $noPermission -ErrorAction Stop } catch [ZohoCrmEmails.ZcrmException] { $_.Exception.Code }
        $caught | Should -Be 'NO_PERMISSION'
    }

    It 'declares its output types' {
        (Get-Command Get-ZcrmRecordEmail).OutputType.Name | Should -Contain 'ZohoCrmEmails.Models.ZcrmEmail'
        (Get-Command Get-ZcrmEmailSharing).OutputType.Name | Should -Contain 'ZohoCrmEmails.Models.ZcrmEmailSharing'
        (Get-Command Save-ZcrmEmailAttachment).OutputType.Name | Should -Contain 'System.IO.FileInfo'
        (Get-Command Export-ZcrmEmail).OutputType.Name | Should -Contain 'System.IO.FileInfo'
    }
}

Describe 'Help for <_>' -ForEach 'Connect-Zcrm', 'Disconnect-Zcrm', 'Get-ZcrmRecordEmail', 'Get-ZcrmEmailSharing', 'Save-ZcrmEmailAttachment', 'Export-ZcrmEmail', 'Test-ZcrmArchive', 'Get-ZcrmConnection', 'Get-ZcrmRecord', 'Invoke-ZcrmRestMethod' {
    BeforeAll {
        $help = Get-Help $_ -Full
        $common = [System.Management.Automation.PSCmdlet]::CommonParameters + [System.Management.Automation.PSCmdlet]::OptionalCommonParameters
    }

    It 'has a synopsis and a description' {
        $help.Synopsis | Should -Not -BeNullOrEmpty
        $help.Synopsis | Should -Not -BeLike "$_ *"    # not the generated syntax line
        ($help.description.Text -join ' ') | Should -Not -BeNullOrEmpty
    }

    It 'documents every parameter' {
        $actual = @((Get-Command $_).Parameters.Keys | Where-Object { $_ -notin $common } | Sort-Object)
        # A cmdlet without parameters has no 'parameter' entry at all (Disconnect-Zcrm).
        $documentedParameters = @($help.parameters | Select-Object -ExpandProperty parameter -ErrorAction Ignore)
        # -WhatIf and -Confirm are documented, as platyPS does, but are common parameters.
        $documented = @($documentedParameters | ForEach-Object name | Where-Object { $_ -notin $common } | Sort-Object)

        ($documented -join ', ') | Should -Be ($actual -join ', ')
        foreach ($p in $documentedParameters) { ($p.description.Text -join ' ') | Should -Not -BeNullOrEmpty -Because "$($p.name) needs a description" }
    }

    It 'says "Accept wildcard characters" true exactly where the parameter takes wildcards' {
        $parameters = (Get-Command $_).Parameters.Values | Where-Object Name -NotIn $common
        foreach ($p in $parameters) {
            $takesWildcards = [bool]($p.Attributes | Where-Object { $_ -is [System.Management.Automation.SupportsWildcardsAttribute] })
            $documented = $help.parameters.parameter | Where-Object name -EQ $p.Name
            "$($documented.globbing)" | Should -Be "$takesWildcards".ToLowerInvariant() -Because "-$($p.Name) of $_"
        }
    }

    It 'has at least three examples' {
        @($help.examples.example).Count | Should -BeGreaterOrEqual 3
    }
}

Describe 'Format views' {
    BeforeAll {
        Reset-ZcrmSimulator $sim
        Connect-Zcrm @connect
    }

    It 'shows e-mails as a table that reads whole in 80 columns: local time, sender, subject, status' {
        $mails = @(Get-ZcrmRecordEmail Deals $deal | Select-Object -First 3)
        $lines = @(($mails | Out-String -Width 80) -split '\r?\n')

        $header = @($lines | Where-Object { $_ -match '^Time\s' })
        $header.Count | Should -Be 1
        $header[0] | Should -Match '^Time\s+From\s+Subject\s+Status\s+Att$'
        $lines | ForEach-Object { $_.Length | Should -BeLessOrEqual 80 }
        $rows = @($lines | Where-Object { $_ -match '^\d{4}-' })
        $rows.Count | Should -Be 3
        for ($i = 0; $i -lt 3; $i++) {
            # Local time to the minute, uncut; the sender's name whole; the subject given the rest of the line.
            $rows[$i] | Should -BeLike "$($mails[$i].Time.LocalDateTime.ToString('yyyy-MM-dd HH:mm')) Pat Boyle *"
            $rows[$i] | Should -Match ([regex]::Escape($mails[$i].Subject.Substring(0, 25)))
        }
        # The most telling status of each: mail 1 was sent, mail 2 sent and opened, mail 3 bounced.
        $rows[0] | Should -Match '\ssent\s+@$'
        $rows[1] | Should -Match '\sopened\s*$'
        $rows[2] | Should -Match '\sbounced\s*$'
    }

    It 'shows whole addresses and every status in the list view' {
        $text = Get-ZcrmRecordEmail Deals $deal | Select-Object -Skip 1 -First 1 | Format-List | Out-String -Width 200

        $text | Should -Match '(?m)^From\s+: Pat Boyle <pat@crm\.example\.com>$'
        $text | Should -Match '(?m)^Status\s+: sent; opened$'
    }

    It 'shows a detailed e-mail as a list with its body' {
        $text = Get-ZcrmRecordEmail Deals $deal | Select-Object -First 1 | Get-ZcrmRecordEmail | Out-String -Width 200

        $text | Should -Match '(?m)^Content\s+:'
        $text | Should -Match '(?m)^MailFormat\s+:'
    }

    It 'has a list view for e-mails' {
        $text = Get-ZcrmRecordEmail Deals $deal | Select-Object -First 1 | Format-List | Out-String -Width 200

        $text | Should -Match '(?m)^Bounced\s+:'
    }

    It 'shows sharing details as a table' {
        $text = Get-ZcrmEmailSharing Leads $leadWithSharing | Out-String -Width 200

        $text | Should -Match 'Module\s+RecordId\s+AvailableTypes\s+ShareFromUsers'
    }

    It 'shows the connection without secrets' {
        $text = Connect-Zcrm @connect -PassThru | Out-String

        $text | Should -Match 'DataCenter'
        foreach ($s in Get-ZcrmSimulatorSecret) { $text | Should -Not -Match ([regex]::Escape($s)) }
    }
}

Describe 'Tab completion' {
    It 'completes module names for -Module' {
        $line = 'Get-ZcrmRecordEmail -Module De'
        (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText | Should -Contain 'Deals'
    }

    It 'completes -Type values' {
        $line = 'Get-ZcrmRecordEmail -Module Deals -Id 1 -Type Sent'
        (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText | Should -Contain 'SentFromCrm'
    }

    It 'completes -DataCenter values' {
        $line = 'Connect-Zcrm -DataCenter E'
        (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText | Should -Contain 'EU'
    }
}
