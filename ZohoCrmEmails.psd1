@{
    RootModule           = 'ZohoCrmEmails.psm1'
    ModuleVersion        = '0.3.0'
    GUID                 = '6f0c6a3e-2f7d-4b8e-9f52-0d3c8e1a7b41'
    Author               = 'ZohoCrmEmails contributors'
    CompanyName          = 'ZohoCrmEmails'
    Copyright            = '(c) 2026 ZohoCrmEmails contributors. MIT License (see LICENSE).'
    Description          = 'Read the e-mails attached to Zoho CRM records from PowerShell: typed objects streamed page by page, unattended OAuth for every Zoho data centre, retries with backoff, bounded parallelism within the org''s API credits, and stable error ids. Keep them as files: attachments, and e-mails as .eml, in an indexed archive that a nightly job extends incrementally, resumes after a kill and verifies with Test-ZcrmArchive. No secret reaches any output.'
    PowerShellVersion    = '7.4'
    CompatiblePSEditions = @('Core')
    FormatsToProcess     = @('ZohoCrmEmails.format.ps1xml')
    CmdletsToExport      = @(
        'Connect-Zcrm'
        'Disconnect-Zcrm'
        'Get-ZcrmConnection'
        'Get-ZcrmRecord'
        'Invoke-ZcrmRestMethod'
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
            Tags         = @('Zoho', 'ZohoCRM', 'CRM', 'Email', 'Eml', 'Archive', 'OAuth', 'PSEdition_Core', 'Windows', 'Linux', 'MacOS')
            # The licence travels as the LICENSE file in the package; no project or licence URL is published yet.
            RequireLicenseAcceptance = $false
            ReleaseNotes = @'
0.3.0
- A whole module, night after night: Get-ZcrmRecord finds records itself (all, changed since, matching a criteria,
  a custom view; past Zoho's 2,000-record paging limit through COQL); Export-ZcrmEmail and Save-ZcrmEmailAttachment
  -Module -All sweep a module into an archive, keep their progress in the folder, list only what changed since the last
  finished sweep, and resume a killed one.
- Every mailbox the caller may see: -AllMailboxes reads each shared user's listing besides one's own, once per e-mail.
- A busy org: the connection learns how many requests at once Zoho's shared concurrency cap leaves free (slow start,
  back off on its 429s, probe up), retries those 429s after a short wait without spending the retry budget, and shows
  ConcurrencyLimit and ThrottledRequests on the connection.
- Invoke-ZcrmRestMethod: any other Zoho CRM API path through the same connection, auth, retries and limits.
- One listed e-mail that cannot be read, or one mailbox that refuses, is its own error; the rest of the record goes on.
- New error ids: InvalidCustomViewId, InvalidCriteria, InvalidField, RecordListIncomplete, SweepInProgress,
  InvalidApiPath.

0.2.0
- Unattended runs at org scale: Zoho's export ids (zcrm_<digits>, the 'Record Id' column) bind as they are; a circuit
  breaker stops a run from spending credits against a server that refuses everything or is down (each unread record
  gets its own error); Connect-Zcrm -ApiCreditReserve leaves credits for the org's other integrations; CANNOT_PROCESS
  is retried.
- The archive as a nightly job: an index per folder (zcrm-index.csv) makes re-runs incremental, finishes killed runs
  and is checked by the new Test-ZcrmArchive; -Path takes a script block for a folder per record; .eml bodies are
  searchable text.
- Every call ends: an empty page or an empty sharing answer is a normal case; downloads send Zoho's documented name;
  owner ids travel with every detail read.
- -ThrottleLimit is requests at once, and defaults to the connection's limit: detail reads and downloads overlap the
  listing.
- A connection object for people (ZohoCrmEmails.ZcrmConnection), Get-ZcrmConnection, Disconnect-Zcrm -Connection.
- Errors name their record, e-mail or attachment in the message; about_ZohoCrmEmails.

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
