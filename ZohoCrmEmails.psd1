@{
    RootModule           = 'ZohoCrmEmails.psm1'
    ModuleVersion        = '0.1.0'
    GUID                 = '6f0c6a3e-2f7d-4b8e-9f52-0d3c8e1a7b41'
    Author               = 'ZohoCrmEmails contributors'
    CompanyName          = 'ZohoCrmEmails'
    Copyright            = '(c) ZohoCrmEmails contributors. MIT License.'
    Description          = 'Read the e-mails attached to Zoho CRM records: typed objects, lazy paging, unattended OAuth for every data centre, retries and bounded parallelism; save their attachments and export them as .eml files.'
    PowerShellVersion    = '7.4'
    CompatiblePSEditions = @('Core')
    FormatsToProcess     = @('ZohoCrmEmails.format.ps1xml')
    CmdletsToExport      = @(
        'Connect-Zcrm'
        'Disconnect-Zcrm'
        'Get-ZcrmConnection'
        'Get-ZcrmRecordEmail'
        'Get-ZcrmEmailSharing'
        'Save-ZcrmEmailAttachment'
        'Export-ZcrmEmail'
        'Test-ZcrmArchive'
    )
    FunctionsToExport    = @()
    AliasesToExport      = @()
    VariablesToExport    = @()
    PrivateData          = @{
        PSData = @{
            Tags         = @('Zoho', 'ZohoCRM', 'CRM', 'Email', 'OAuth', 'PSEdition_Core', 'Windows', 'Linux', 'MacOS')
            ReleaseNotes = @'
0.1.0
- Connect-Zcrm: refresh-token, access-token and environment modes for every Zoho data centre; token cached and renewed.
- Get-ZcrmRecordEmail: lazy, streamed listing with type and owner filters, -IncludeContent, detail reads by message id.
- Get-ZcrmEmailSharing: sharing details of records.
- Save-ZcrmEmailAttachment, Export-ZcrmEmail: attachments as files and e-mails as .eml, named safely, written whole or not at all.
- Retries with backoff on 429 and 5xx, adaptive concurrency, -ThrottleLimit across records, progress, -Verbose tracing.
'@
        }
    }
}
