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
    /// <summary>Answers 401 OAUTH_SCOPE_MISMATCH to every CRM request.</summary>
    public bool ScopeMismatch { get; set; }

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
