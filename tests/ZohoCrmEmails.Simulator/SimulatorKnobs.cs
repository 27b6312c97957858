namespace ZohoCrmEmails.Simulator;

/// <summary>
/// Faults and variants a test can switch on. Counted faults (N× 429 …) apply to the next N CRM requests and count
/// down; set them before the call under test. Read and written from any thread.
/// </summary>
public sealed class SimulatorKnobs
{
    /// <summary>Added before every CRM response.</summary>
    public int LatencyMs { get; set; }
    public int Fail429Count { get => Volatile.Read(ref _fail429); set => Volatile.Write(ref _fail429, value); }
    private int _fail429;
    internal bool TakeFail429() => TakeOne(ref _fail429);
    /// <summary>Retry-After sent with 429s: seconds ("1"), "date:N" for an HTTP date N seconds ahead, or null for none.</summary>
    public string? RetryAfter { get; set; }
    public int Fail5xxCount { get => Volatile.Read(ref _fail5xx); set => Volatile.Write(ref _fail5xx, value); }
    private int _fail5xx;
    internal bool TakeFail5xx() => TakeOne(ref _fail5xx);
    public int Status5xx { get; set; } = 500;
    /// <summary>Responses that promise a body, send part of it and drop the connection.</summary>
    public int DropConnectionCount { get => Volatile.Read(ref _drop); set => Volatile.Write(ref _drop, value); }
    private int _drop;
    internal bool TakeDropConnection() => TakeOne(ref _drop);
    public int MalformedJsonCount { get => Volatile.Read(ref _malformed); set => Volatile.Write(ref _malformed, value); }
    private int _malformed;
    internal bool TakeMalformedJson() => TakeOne(ref _malformed);
    /// <summary>Responses delayed by <see cref="SlowResponseMs"/> (slower than a client's timeout).</summary>
    public int SlowResponseCount { get => Volatile.Read(ref _slow); set => Volatile.Write(ref _slow, value); }
    private int _slow;
    internal bool TakeSlowResponse() => TakeOne(ref _slow);
    public int SlowResponseMs { get; set; } = 30_000;
    /// <summary>Each access token is valid for this many CRM requests, then answers 401 INVALID_TOKEN.</summary>
    public int? TokenExpiresAfterRequests { get; set; }
    /// <summary>expires_in of new tokens, enforced by the server's clock.</summary>
    public int TokenLifetimeSeconds { get; set; } = 3600;
    /// <summary>The old token response: expires_in in milliseconds plus expires_in_sec.</summary>
    public bool LegacyTokenExpiry { get; set; }
    /// <summary>api_domain to return with tokens; null means the simulator's own base URL.</summary>
    public string? TokenApiDomain { get; set; }
    public bool RevokeRefreshToken { get; set; }
    public bool ThrottleTokenEndpoint { get; set; }
    /// <summary>Every page points at the same next cursor.</summary>
    public bool RepeatingCursor { get; set; }
    /// <summary>An empty list answers 200 {"Emails":[]} instead of 204.</summary>
    public bool EmptyListAs200 { get; set; }
    /// <summary>Lists use the v2–v3 root key email_related_list.</summary>
    public bool LegacyEnvelope { get; set; }
    /// <summary>Sharing details as an object rather than an array.</summary>
    public bool SharingAsObject { get; set; }
    public bool ThreadIdAsNumber { get; set; }
    /// <summary>Overrides the e-mail count of every record that is not one of the fixed test records.</summary>
    public int? DefaultEmailCount { get; set; }
    /// <summary>Sent as X-API-CREDITS-REMAINING when set.</summary>
    public long? CreditsRemaining { get; set; }
    /// <summary>
    /// The day's API credits: each CRM request spends one. X-API-CREDITS-REMAINING is sent once half are spent, as Zoho
    /// does; once none is left, every request is 429 TOO_MANY_REQUESTS with X-API-CREDITS-REMAINING: 0.
    /// </summary>
    public long? CreditsTotal { get; set; }
    private long _creditsUsed;
    internal long SpendCredit() => Interlocked.Increment(ref _creditsUsed);
    /// <summary>Credits a call costs beyond its first (COQL: up to 3 for 2,000 rows).</summary>
    internal void SpendCredit(int more) => Interlocked.Add(ref _creditsUsed, more);
    /// <summary>With <see cref="CreditsTotal"/>: never send the header (a server that only ever answers 429).</summary>
    public bool CreditsWithoutHeader { get; set; }
    /// <summary>CRM requests answered 400 CANNOT_PROCESS (an IMAP sync in progress, says its details).</summary>
    public int CannotProcessCount { get => Volatile.Read(ref _cannotProcess); set => Volatile.Write(ref _cannotProcess, value); }
    private int _cannotProcess;
    internal bool TakeCannotProcess() => TakeOne(ref _cannotProcess);
    // A busy org: Zoho caps the calls an org has in flight at once (Free 5, Standard 10, Professional 15, Enterprise 20,
    // Ultimate 25), and every integration of the org shares the cap.

    /// <summary>
    /// The org's concurrency cap: a CRM request that arrives while this many are being served (the module's, and the
    /// slots <see cref="OtherLoad"/> holds) is answered 429 TOO_MANY_REQUESTS with no credits header.
    /// </summary>
    public int? ConcurrencyCap { get; set; }
    /// <summary>Slots of the cap other integrations hold, moving to the next value every <see cref="OtherLoadPeriodMs"/> (then round again).</summary>
    public int[]? OtherLoad { get; set; }
    public int OtherLoadPeriodMs { get; set; } = 1000;
    /// <summary>
    /// Every this many milliseconds, a burst: one to <see cref="Sporadic429MaxInARow"/> of the CRM requests that arrive in
    /// the next quarter of the period are answered 429 (no credits header), whatever the load.
    /// </summary>
    public int? Sporadic429EveryMs { get; set; }
    public int Sporadic429MaxInARow { get; set; } = 3;
    private readonly long _created = System.Diagnostics.Stopwatch.GetTimestamp();
    private long _burstPeriod = -1;
    private int _burstLeft;
    private readonly object _burstGate = new();

    /// <summary>The slots other integrations hold now.</summary>
    internal int OtherLoadNow()
    {
        if (OtherLoad is not { Length: > 0 } load) return 0;
        var ms = (long)System.Diagnostics.Stopwatch.GetElapsedTime(_created).TotalMilliseconds;
        return load[(int)(ms / Math.Max(1, OtherLoadPeriodMs) % load.Length)];
    }

    /// <summary>Whether this request falls in a sporadic burst of 429s.</summary>
    internal bool TakeSporadic429()
    {
        if (Sporadic429EveryMs is not { } every || every <= 0) return false;
        lock (_burstGate)
        {
            var ms = (long)System.Diagnostics.Stopwatch.GetElapsedTime(_created).TotalMilliseconds;
            var period = ms / every;
            if (period != _burstPeriod)
            {
                _burstPeriod = period;
                _burstLeft = Random.Shared.Next(1, Math.Max(1, Sporadic429MaxInARow) + 1);
            }
            if (_burstLeft <= 0 || ms - period * every >= Math.Max(1, every / 4)) return false;
            _burstLeft--;
            return true;
        }
    }

    // Finding records: the Records API and COQL, with Zoho's caps (scaled down by tests, so a few hundred records cross them).

    /// <summary>Records every module lists (ids <see cref="SimRecordStore.FirstId"/> + 1 …); 0: none.</summary>
    public int RecordCount { get; set; }
    /// <summary>
    /// When set, a listed record's e-mails: none for every third, else 1 to this many (a deterministic spread); unset, the
    /// usual rule (the id modulo 23, or <see cref="DefaultEmailCount"/>).
    /// </summary>
    public int? RecordEmailsMax { get; set; }
    /// <summary>Records a page walk may reach: Zoho's 2,000 (a page starting past them is DISCRETE_PAGINATION_LIMIT_EXCEEDED).</summary>
    public int RecordsPageCap { get; set; } = 2000;
    /// <summary>Records a page_token walk may reach: Zoho's 100,000 (PAGINATION_LIMIT_EXCEEDED beyond).</summary>
    public int RecordsTokenCap { get; set; } = 100_000;
    /// <summary>Every page_token sent back is expired (EXPIRED_VALUE), as after Zoho's 24 hours.</summary>
    public bool ExpirePageTokens { get; set; }
    /// <summary>How the Records API says "nothing modified since": "304" (Zoho's), "204", or "200" ({"data":[]}).</summary>
    public string RecordsEmptyAs { get; set; } = "304";
    /// <summary>Rows one COQL call may ask for: Zoho's 2,000 (LIMIT_EXCEEDED beyond).</summary>
    public int CoqlMaxLimit { get; set; } = 2000;
    /// <summary>Rows a COQL offset walk may reach (offset + limit): Zoho's 100,000 (LIMIT_EXCEEDED beyond).</summary>
    public int CoqlOffsetCap { get; set; } = 100_000;
    /// <summary>COQL answers 401 OAUTH_SCOPE_MISMATCH (a token without ZohoCRM.coql.READ).</summary>
    public bool CoqlScopeMissing { get; set; }
    /// <summary>Which times an arriving e-mail moves: "both" (Modified_Time and Last_Activity_Time), "activity" or "modified".</summary>
    public string NewEmailMoves { get; set; } = "both";

    /// <summary>Answers 401 OAUTH_SCOPE_MISMATCH to every CRM request.</summary>
    public bool ScopeMismatch { get; set; }

    // Hostile servers: what a broken or malicious endpoint can send. The client must stay bounded, lose nothing
    // silently, and show no secret whatever comes back.

    /// <summary>
    /// Error texts echo what the client sent: the token endpoint's error_description is the request body (client
    /// secret and refresh token), CRM error messages and details quote the Authorization header, and every CRM
    /// response carries that header back in X-Echo.
    /// </summary>
    public bool EchoSecrets { get; set; }
    /// <summary>With EchoSecrets: CRM error messages and details are this many filler characters, then the echo (0: the usual text).</summary>
    public int EchoAt { get; set; }
    /// <summary>CRM calls answer HTTP 200 with exactly this body instead of their data ({}, an error envelope, {"Emails":[null]} …).</summary>
    public string? OverrideBody { get; set; }
    /// <summary>CRM calls answer 200 with a body of this many bytes, streamed and never held (a JSON start, then spaces); -1: it never ends.</summary>
    public long? HugeBodyBytes { get; set; }
    /// <summary>With <see cref="HugeBodyBytes"/>: declare the size in Content-Length (else the body is chunked).</summary>
    public bool HugeBodyDeclaresLength { get; set; }
    /// <summary>The list call ignores index: every page is the first page, with the first page's next cursor.</summary>
    public bool IgnoreCursor { get; set; }
    /// <summary>The list call answers every page with no e-mail, "more records" and a cursor never sent before.</summary>
    public bool EmptyPagesForever { get; set; }
    /// <summary>The one-e-mail call answers with another e-mail of the record.</summary>
    public bool DetailAnswersAnotherEmail { get; set; }
    /// <summary>Appended to every access token issued (e.g. "\r\nX-Injected: 1": a token no header can carry).</summary>
    public string? AccessTokenSuffix { get; set; }
    /// <summary>E-mails with attachments carry <see cref="SimData.HostileNames"/> as their attachments' names.</summary>
    public bool HostileAttachmentNames { get; set; }
    /// <summary>The first e-mail of each record has one attachment of this many bytes (streamed, never held).</summary>
    public long? LargeAttachmentBytes { get; set; }
    /// <summary>Added to the Content-Length a download declares (it then sends fewer bytes than it promised and closes).</summary>
    public long DownloadDeclaredLengthExtra { get; set; }
    /// <summary>Added to every attachment's listed size (what Zoho lists then differs from what it sends).</summary>
    public long ListedAttachmentSizeExtra { get; set; }
    /// <summary>Downloads are sent at about this many bytes a second (a slow link: time to kill a run mid-file).</summary>
    public long? DownloadBytesPerSecond { get; set; }
    /// <summary>Downloads trickle: one byte every 20 ms, never a stall long enough for a timeout.</summary>
    public bool TrickleDownloads { get; set; }
    /// <summary>Downloads that send half the file, then drop the connection.</summary>
    public int DropMidFileCount { get => Volatile.Read(ref _dropMidFile); set => Volatile.Write(ref _dropMidFile, value); }
    private int _dropMidFile;
    internal bool TakeDropMidFile() => TakeOne(ref _dropMidFile);
    /// <summary>How a download names its file: "plain" (filename="…"), "rfc5987" (filename*=UTF-8''…), or "none".</summary>
    public string AttachmentDisposition { get; set; } = "plain";
    /// <summary>CRM requests whose connection is closed without any answer.</summary>
    public int CloseWithoutAnswerCount { get => Volatile.Read(ref _closeWithoutAnswer); set => Volatile.Write(ref _closeWithoutAnswer, value); }
    private int _closeWithoutAnswer;
    internal bool TakeCloseWithoutAnswer() => TakeOne(ref _closeWithoutAnswer);

    /// <summary>
    /// Every e-mail belongs to this user's mailbox instead of the default owner's: the one-e-mail call needs
    /// owner_id = this id (else 403 NO_PERMISSION), and downloads user_id = this id.
    /// </summary>
    public string? SharedOwnerId { get; set; }
    /// <summary>Attachments are listed with an empty name; the download still names the file in Content-Disposition.</summary>
    public bool UnnamedAttachments { get; set; }
    /// <summary>Listed e-mails carry has_attachment, read and sent as null (Zoho's schema makes them nullable).</summary>
    public bool NullFlags { get; set; }
    /// <summary>The e-mail at this index of every record is listed without a usable message id (see <see cref="BadMessageIdAs"/>).</summary>
    public int? BadMessageIdAt { get; set; }
    /// <summary>How that e-mail's message id is listed: "empty" (""), "absent" (no key), "null" or "dots" ("..").</summary>
    public string BadMessageIdAs { get; set; } = "empty";
    /// <summary>The one-e-mail call answers 403 NO_PERMISSION for this message id (an e-mail the caller may not read).</summary>
    public string? RefuseDetailOf { get; set; }
    // Every mailbox of a record: the users who share theirs (SimData.SharedUsers), their mailboxes' e-mails.

    /// <summary>How many of <see cref="SimData.SharedUsers"/> the sharing details list (0 to 3); null: the usual two (three on the lead with sharing).</summary>
    public int? SharedUsers { get; set; }
    /// <summary>
    /// When set, a shared user's mailbox (type=user_emails&amp;owner_id=that user) lists this many e-mails of the user's
    /// own (owned by the user: their detail reads and downloads need the user's id); unset, user_emails is the usual filter.
    /// </summary>
    public int? MailboxEmails { get; set; }
    /// <summary>With <see cref="MailboxEmails"/>: the record's first this many e-mails are in every shared mailbox too (the same message ids).</summary>
    public int MailboxOverlap { get; set; }
    /// <summary>This user's mailbox answers every listing with <see cref="MailboxRefusal"/> (persisting).</summary>
    public string? RefuseMailboxOf { get; set; }
    /// <summary>"CANNOT_PROCESS" (400, an IMAP sync in progress) or "NO_PERMISSION" (403).</summary>
    public string MailboxRefusal { get; set; } = "CANNOT_PROCESS";
    /// <summary>Users GET /crm/{v}/users lists, a page of per_page (default 200) at a time.</summary>
    public int UserCount { get; set; } = 3;
    /// <summary>How the sharing call says "nothing shared": "array" (200 with an empty array) or "204"; null for the usual answer.</summary>
    public string? SharingEmpty { get; set; }

    internal static bool TakeOne(ref int counter)
    {
        while (true)
        {
            var current = Volatile.Read(ref counter);
            if (current <= 0) return false;
            if (Interlocked.CompareExchange(ref counter, current - 1, current) == current) return true;
        }
    }
}
